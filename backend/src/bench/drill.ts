/**
 * `npm run drill`: a backup-and-restore game day on this machine, with the built server and the
 * `lorechat` command each in its own process, as an operator runs them.
 *
 *   1. start: a server indexes this repository's docs into a new data folder, and a visitor's
 *      questions are answered (the baseline: each answer's text and cited pages);
 *   2. backup: `lorechat backup --out DIR` while a visitor keeps asking; every answer given during
 *      the backup must equal the baseline;
 *   3. restore: `lorechat restore --from DIR` into an empty data folder;
 *   4. refusal: the same restore again, over the now non-empty folder, without `--force`: refused,
 *      the index file unchanged;
 *   5. answers: a server on the restored folder (which indexes nothing itself) answers the same
 *      questions with the same text and sources.
 *
 * Prints each step with how long it took and what held; last line one JSON object with the
 * figures. Exit status 1 when anything did not hold. The embedded store and the offline answerer,
 * as `npm start` runs by default; a Qdrant node lost mid-conversation is drilled by
 * test/qdrant-failover.e2e-spec.ts (no Qdrant can run here).
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { DrillServer, runCommand, type SeenAnswer } from './drill-server';

const DOCS = resolve(__dirname, '..', '..', '..', 'docs');

/** Questions the docs answer, on varied pages. */
const QUESTIONS = [
  'How do I back up the index?',
  'Which LLM providers can answer?',
  'How do I embed the widget on my site?',
  'How do I crawl my website into LoreChat?',
  'What does the console show?',
  'What happens when Redis is unreachable?',
  'How are visitor tokens checked?',
  'How much does LoreChat cost to run on AWS?',
];

interface Step {
  name: string;
  ms: number;
  held: boolean;
  detail: string;
}

async function timed(
  name: string,
  run: () => Promise<{ held: boolean; detail: string }>,
): Promise<Step> {
  const started = performance.now();
  try {
    const { held, detail } = await run();
    return { name, ms: performance.now() - started, held, detail };
  } catch (error) {
    return { name, ms: performance.now() - started, held: false, detail: (error as Error).message };
  }
}

function sha256(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

function folderBytes(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + statSync(join(entry.parentPath, entry.name)).size, 0);
}

/** The questions whose answer differs from the baseline, with what changed. */
function differences(baseline: SeenAnswer[], seen: SeenAnswer[]): string[] {
  return baseline.flatMap((expected, index) => {
    const actual = seen[index];
    if (isDeepStrictEqual(expected, actual)) return [];
    const what =
      actual?.text === expected.text ? 'sources' : actual === undefined ? 'no answer' : 'text';
    return [`"${expected.question}" (${what})`];
  });
}

async function main(): Promise<number> {
  const scratch = mkdtempSync(join(tmpdir(), 'lorechat-drill-'));
  const liveDir = join(scratch, 'live');
  const backupDir = join(scratch, 'backup');
  const restoredDir = join(scratch, 'restored');
  const steps: Step[] = [];
  let baseline: SeenAnswer[] = [];
  let answeredDuringBackup = 0;
  try {
    let live: DrillServer | undefined;
    steps.push(
      await timed('start and index the docs', async () => {
        live = await DrillServer.start({ LORECHAT_DATA_DIR: liveDir, LORECHAT_DOCS_DIR: DOCS });
        baseline = await live.answers(QUESTIONS);
        const cited = baseline.filter((answer) => answer.sources.length > 0).length;
        return {
          held: cited > 0,
          detail: `${baseline.length} questions answered, ${cited} citing pages`,
        };
      }),
    );
    if (!live) return report(steps, { answeredDuringBackup });
    const server = live;
    try {
      steps.push(
        await timed('backup while answering', async () => {
          const backingUp = runCommand(['backup', '--out', backupDir], {
            LORECHAT_DATA_DIR: liveDir,
          });
          let finished = false;
          void backingUp.then(() => (finished = true));
          const changed: string[] = [];
          while (!finished) {
            const seen = await server.answers(QUESTIONS);
            answeredDuringBackup += seen.length;
            changed.push(...differences(baseline, seen));
          }
          const { code, output } = await backingUp;
          if (code !== 0) return { held: false, detail: output.trim() };
          return {
            held: changed.length === 0,
            detail:
              `${folderBytes(backupDir)} bytes; ${answeredDuringBackup} answers given during ` +
              `the backup, ${changed.length} different from before` +
              (changed.length > 0 ? `: ${[...new Set(changed)].join(', ')}` : ''),
          };
        }),
      );
    } finally {
      await server.stop();
    }

    steps.push(
      await timed('restore into an empty data folder', async () => {
        const { code, output } = await runCommand(['restore', '--from', backupDir], {
          LORECHAT_DATA_DIR: restoredDir,
        });
        return { held: code === 0, detail: output.trim().split('\n').join(' ') };
      }),
    );

    steps.push(
      await timed('refuse to restore over it without --force', async () => {
        const index = join(restoredDir, 'index.sqlite');
        const before = sha256(index);
        const { code, output } = await runCommand(['restore', '--from', backupDir], {
          LORECHAT_DATA_DIR: restoredDir,
        });
        const unchanged = sha256(index) === before;
        return {
          held: code === 1 && unchanged,
          detail: `exit ${code}, index ${unchanged ? 'unchanged' : 'CHANGED'}: ${output.trim()}`,
        };
      }),
    );

    steps.push(
      await timed('restored server answers the same', async () => {
        const restored = await DrillServer.start({
          LORECHAT_DATA_DIR: restoredDir,
          LORECHAT_DOCS_DIR: '',
        });
        try {
          const changed = differences(baseline, await restored.answers(QUESTIONS));
          return {
            held: changed.length === 0,
            detail:
              `${QUESTIONS.length - changed.length} of ${QUESTIONS.length} answers with the same ` +
              'text and sources' +
              (changed.length > 0 ? `; different: ${changed.join(', ')}` : ''),
          };
        } finally {
          await restored.stop();
        }
      }),
    );
    return report(steps, { answeredDuringBackup });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function report(steps: Step[], figures: { answeredDuringBackup: number }): number {
  for (const step of steps) {
    process.stdout.write(
      `${step.held ? 'held  ' : 'FAILED'}  ${step.name.padEnd(42)} ${(step.ms / 1000).toFixed(2).padStart(7)} s  ${step.detail}\n`,
    );
  }
  const held = steps.length === 5 && steps.every((step) => step.held);
  process.stdout.write(
    `${JSON.stringify({
      drill: 'backup-restore',
      held,
      questions: QUESTIONS.length,
      ...figures,
      stepsMs: Object.fromEntries(steps.map((step) => [step.name, Math.round(step.ms)])),
    })}\n`,
  );
  return held ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    process.stderr.write(`drill failed: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
