/**
 * `lorechat backup` and `lorechat restore` of the embedded store, end to end: a backup taken by the
 * command in its own process while the server answers, restored into an empty data folder, where a
 * new server answers the same questions with the same sources; the refusals that change nothing.
 * The Qdrant side is in backup-qdrant.e2e-spec.ts.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { BUNDLED_DOCS_ORIGIN } from '../src/common/bundled-docs';
import { join } from 'node:path';
import { backupCommand } from '../src/backup/backup-cli';
import { type BackupManifest, MANIFEST_FILE } from '../src/backup/backup-manifest';
import {
  LOG_FILE,
  SqliteConversationLogStore,
} from '../src/analytics/sqlite.conversation-log.store';
import { EmbeddedStore, INDEX_FILE } from '../src/vector-store/embedded.store';
import { captureOutput, runBackupCommand } from './support/backup';
import { type Answer, ChatClient, type RunningApp, startApp } from './support/app';

const SITE = join(__dirname, 'fixtures', 'site');
const DOCS = join(__dirname, 'fixtures', 'docs');
const REGISTER = join(__dirname, '..', '..', 'scripts', 'register-typescript.js');
const CLI = join(__dirname, '..', 'src', 'cli.ts');
const BM25 = { k1: 1.2, b: 0.75 };

const QUESTIONS = [
  'how long until a refund is paid',
  'Which languages has the chat been translated to?',
  'How is visitor data protected?',
];

/** What a visitor sees of an answer: its text and its sources. */
async function answersOf(running: RunningApp): Promise<Pick<Answer, 'text' | 'sources'>[]> {
  const client = await ChatClient.connect(running.url);
  try {
    const answers = [];
    for (const text of QUESTIONS) {
      const { text: answer, sources, error } = await client.askAndWait({ text });
      expect(error).toBeUndefined();
      answers.push({ text: answer, sources });
    }
    return answers;
  } finally {
    client.close();
  }
}

/** Runs `lorechat <args>` in a process of its own, as an operator would next to the server. */
function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; out: string }> {
  const child = spawn(process.execPath, ['-r', REGISTER, CLI, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (data: Buffer) => (out += data.toString()));
  child.stderr.on('data', (data: Buffer) => (out += data.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code: code ?? -1, out })));
}

function readManifest(dir: string): BackupManifest {
  return JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')) as BackupManifest;
}

describe('lorechat backup and restore (embedded store)', () => {
  let scratch: string;
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'lorechat-backup-'));
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  /** Seeds a data folder by starting a server on it, as `npm start` would, and stops it. */
  async function seeded(name: string, docs: string): Promise<string> {
    const dataDir = join(scratch, name);
    const running = await startApp({ LORECHAT_DATA_DIR: dataDir, LORECHAT_DOCS_DIR: docs });
    await running.stop();
    return dataDir;
  }

  // The backup runs in a process of its own, which loads the command's TypeScript first.
  const SPAWN_TIMEOUT_MS = 90_000;

  it(
    'restores into an empty data folder an index that answers the same, from a backup taken while answering',
    async () => {
      const dataDir = join(scratch, 'live');
      const backup = join(scratch, 'backup');
      const restoredDir = join(scratch, 'restored');
      const live = await startApp({ LORECHAT_DATA_DIR: dataDir, LORECHAT_DOCS_DIR: SITE });
      let before: Awaited<ReturnType<typeof answersOf>>;
      let answeredDuringBackup = 0;
      try {
        before = await answersOf(live);
        const backingUp = runCli(['backup', '--out', backup], { LORECHAT_DATA_DIR: dataDir });
        let finished = false;
        void backingUp.then(() => (finished = true));
        // Visitors keep asking while the other process backs up the file the server reads.
        while (!finished) {
          const answers = await answersOf(live);
          expect(answers).toEqual(before);
          answeredDuringBackup += answers.length;
        }
        const { code, out } = await backingUp;
        expect({ code, out }).toEqual({
          code: 0,
          out: expect.stringMatching(
            /^Backed up 3 pages \(4 chunks, index version 3\) of the embedded index into /,
          ),
        });
      } finally {
        await live.stop();
      }
      expect(answeredDuringBackup).toBeGreaterThan(0);
      expect(readManifest(backup)).toMatchObject({
        store: 'embedded',
        embeddings: { id: 'none', dimensions: 0 },
        index: { documents: 3, chunks: 4, indexVersion: 3 },
        files: expect.arrayContaining([
          {
            path: INDEX_FILE,
            bytes: expect.any(Number),
            sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
          },
        ]),
      });

      // The answers given before the backup are in the conversation log it took along.
      const { conversationLog } = readManifest(backup);
      expect(conversationLog?.answers).toBeGreaterThanOrEqual(QUESTIONS.length);

      const restored = await runBackupCommand('restore', ['--from', backup], {
        LORECHAT_DATA_DIR: restoredDir,
      });
      expect(restored.code).toBe(0);
      expect(restored.stdout).toMatch(
        new RegExp(
          `^Restored 3 pages \\(4 chunks\\) from the backup of .* into ${restoredDir} in \\d+ ms; index version 4\\.\\n` +
            `Restored the conversation log: ${conversationLog?.answers} answers\\.\\n$`,
        ),
      );
      const log = new SqliteConversationLogStore(join(restoredDir, LOG_FILE));
      await log.init();
      const answers = await log.answers(0, Date.now() + 1, 10_000);
      expect(answers).toHaveLength(conversationLog!.answers);
      expect(answers.slice(0, QUESTIONS.length).map((answer) => answer.question)).toEqual(
        QUESTIONS,
      );
      await log.close();

      // A server on the restored folder, with nothing to seed: the index is the backup's.
      const again = await startApp({ LORECHAT_DATA_DIR: restoredDir, LORECHAT_DOCS_DIR: '' });
      try {
        expect(await answersOf(again)).toEqual(before);
      } finally {
        await again.stop();
      }
    },
    SPAWN_TIMEOUT_MS,
  );

  it('takes a consistent copy while another process writes to the index', async () => {
    const dataDir = await seeded('busy', SITE);
    // A writer in its own process adds pages of five chunks each, one transaction per page.
    const writer = spawn(
      process.execPath,
      [
        '-r',
        REGISTER,
        '-e',
        `const { EmbeddedStore } = require(${JSON.stringify(join(__dirname, '..', 'src', 'vector-store', 'embedded.store.ts'))});
        const store = new EmbeddedStore(${JSON.stringify(dataDir)}, { k1: 1.2, b: 0.75 });
        store.init(0).then(async () => {
          for (let n = 0; ; n += 1) {
            const url = 'https://busy.example/page-' + n;
            await store.upsertDocument({ url, site: 'busy.example', title: 'Busy', language: 'en',
              contentHash: String(n), chunks: Array.from({ length: 5 }, (_, position) => ({
                id: url + '#' + position, documentUrl: url, site: 'busy.example', url, position,
                title: 'Busy', headingPath: [], text: 'zebra ' + n, language: 'en',
                contentHash: n + '-' + position, terms: ['zebra', 'page' + n] })) });
            if (n === 20) process.stdout.write('writing\\n');
          }
        });`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    await new Promise<void>((resolve) =>
      writer.stdout.on('data', (data: Buffer) => data.toString().includes('writing') && resolve()),
    );
    const backup = join(scratch, 'busy-backup');
    try {
      const { code, stderr } = await runBackupCommand('backup', ['--out', backup], {
        LORECHAT_DATA_DIR: dataDir,
      });
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    } finally {
      writer.kill('SIGKILL');
    }
    const { index } = readManifest(backup);
    const written = index.documents - 3;
    expect(written).toBeGreaterThan(20);
    // Whole pages only: every page the copy holds has its five chunks.
    expect(index.chunks).toBe(4 + 5 * written);
    const restoredDir = join(scratch, 'busy-restored');
    expect(
      (await runBackupCommand('restore', ['--from', backup], { LORECHAT_DATA_DIR: restoredDir }))
        .code,
    ).toBe(0);
    const store = new EmbeddedStore(restoredDir, BM25);
    await store.init(0);
    for (const n of [0, written - 1]) {
      const hits = await store.keywordSearch(['zebra'], {
        limit: 10,
        filter: { documentUrl: `https://busy.example/page-${n}` },
      });
      expect(hits).toHaveLength(5);
    }
    await store.close();
  });

  it('refuses to restore over an index that holds pages, changing nothing, and replaces it with --force', async () => {
    const backup = join(scratch, 'backup');
    const source = await seeded('source', SITE);
    expect(
      (await runBackupCommand('backup', ['--out', backup], { LORECHAT_DATA_DIR: source })).code,
    ).toBe(0);
    const target = await seeded('target', DOCS);
    const untouched = readFileSync(join(target, INDEX_FILE));

    const refused = await runBackupCommand('restore', ['--from', backup], {
      LORECHAT_DATA_DIR: target,
    });
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `lorechat: restore refused: the index at ${join(target, INDEX_FILE)} already holds 2 pages ` +
        '(4 chunks): restoring would replace them. Restore into an empty LORECHAT_DATA_DIR, or ' +
        'add --force to replace them.\n',
    });
    expect(readFileSync(join(target, INDEX_FILE)).equals(untouched)).toBe(true);

    const forced = await runBackupCommand('restore', ['--from', backup, '--force'], {
      LORECHAT_DATA_DIR: target,
    });
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(
      /, replacing 2 pages; index version 4\.\nRestored the conversation log: 0 answers\.\n$/,
    );
    const store = new EmbeddedStore(target, BM25);
    await store.init(0);
    expect((await store.documents()).map((page) => page.url)).toEqual([
      `${BUNDLED_DOCS_ORIGIN}/docs/billing.md`,
      `${BUNDLED_DOCS_ORIGIN}/docs/languages.md`,
      `${BUNDLED_DOCS_ORIGIN}/docs/security.md`,
    ]);
    await store.close();
  });

  it('refuses to replace a conversation log that holds answers, changing nothing, unless forced', async () => {
    const source = join(scratch, 'source');
    const asked = await startApp({ LORECHAT_DATA_DIR: source, LORECHAT_DOCS_DIR: SITE });
    try {
      await answersOf(asked);
    } finally {
      await asked.stop();
    }
    const backup = join(scratch, 'backup');
    expect(
      (await runBackupCommand('backup', ['--out', backup], { LORECHAT_DATA_DIR: source })).code,
    ).toBe(0);
    // A data folder whose index was lost but whose log still holds the visitors' answers.
    const target = join(scratch, 'target');
    expect(
      (await runBackupCommand('restore', ['--from', backup], { LORECHAT_DATA_DIR: target })).code,
    ).toBe(0);
    rmSync(join(target, INDEX_FILE));
    const log = readFileSync(join(target, LOG_FILE));

    const refused = await runBackupCommand('restore', ['--from', backup], {
      LORECHAT_DATA_DIR: target,
    });
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `lorechat: restore refused: the conversation log at ${join(target, LOG_FILE)} already ` +
        `holds ${QUESTIONS.length} answers: restoring would replace them. Restore into an empty ` +
        'LORECHAT_DATA_DIR, or add --force to replace them.\n',
    });
    expect(existsSync(join(target, INDEX_FILE))).toBe(false);
    expect(readFileSync(join(target, LOG_FILE)).equals(log)).toBe(true);

    const forced = await runBackupCommand('restore', ['--from', backup, '--force'], {
      LORECHAT_DATA_DIR: target,
    });
    expect(forced.stdout).toMatch(/\nRestored the conversation log: 3 answers\.\n$/);
  });

  it('leaves the log aside when the conversation log lives in PostgreSQL', async () => {
    const source = join(scratch, 'source');
    const asked = await startApp({ LORECHAT_DATA_DIR: source, LORECHAT_DOCS_DIR: SITE });
    try {
      await answersOf(asked);
    } finally {
      await asked.stop();
    }
    const backup = join(scratch, 'backup');
    expect(
      (await runBackupCommand('backup', ['--out', backup], { LORECHAT_DATA_DIR: source })).code,
    ).toBe(0);
    const target = join(scratch, 'target');
    const restored = await runBackupCommand('restore', ['--from', backup], {
      LORECHAT_DATA_DIR: target,
      ANALYTICS_STORE: 'postgres',
      DATABASE_URL: 'postgres://lorechat@127.0.0.1:9/lorechat',
    });
    expect(restored.stdout).toMatch(
      /\nLeft the backup's conversation log aside: ANALYTICS_STORE=postgres: the log lives in PostgreSQL, restore it from that database's backups\.\n$/,
    );
    expect(existsSync(join(target, LOG_FILE))).toBe(false);
  });

  it('refuses a damaged or foreign backup before touching the data folder', async () => {
    const backup = join(scratch, 'backup');
    const source = await seeded('source', SITE);
    expect(
      (await runBackupCommand('backup', ['--out', backup], { LORECHAT_DATA_DIR: source })).code,
    ).toBe(0);
    const empty = join(scratch, 'empty');
    const restore = (env: NodeJS.ProcessEnv, from = backup) =>
      runBackupCommand('restore', ['--from', from], { LORECHAT_DATA_DIR: empty, ...env });

    expect(
      (await restore({ VECTOR_STORE: 'qdrant', QDRANT_URL: 'http://127.0.0.1:9' })).stderr,
    ).toBe(
      'lorechat: restore refused: the backup holds a embedded index, but VECTOR_STORE=qdrant: set ' +
        'VECTOR_STORE=embedded to restore it\n',
    );
    const openAi = {
      EMBEDDING_PROVIDER: 'openai',
      OPENAI_API_KEY: 'sk-test',
      EMBEDDING_DIMENSIONS: '8',
    };
    expect((await restore(openAi)).stderr).toMatch(
      /^lorechat: restore refused: the backup's index was embedded with none, the configuration embeds with openai:text-embedding-3-small@8: set EMBEDDING_PROVIDER, EMBEDDING_MODEL and EMBEDDING_DIMENSIONS as they were when the backup was taken\n$/,
    );
    expect((await restore({}, scratch)).stderr).toBe(
      `lorechat: restore refused: ${scratch} is not a LoreChat backup: it has no manifest.json ` +
        '(a backup that did not finish has none)\n',
    );

    const manifestText = readFileSync(join(backup, MANIFEST_FILE), 'utf8');
    writeFileSync(join(backup, MANIFEST_FILE), manifestText.slice(0, 40));
    expect((await restore({})).stderr).toMatch(
      new RegExp(
        `^lorechat: restore refused: ${join(backup, MANIFEST_FILE)} is not valid JSON: .+\\n$`,
      ),
    );
    writeFileSync(
      join(backup, MANIFEST_FILE),
      JSON.stringify({ ...(JSON.parse(manifestText) as BackupManifest), version: 2 }),
    );
    expect((await restore({})).stderr).toBe(
      `lorechat: restore refused: ${join(backup, MANIFEST_FILE)} is not a manifest this LoreChat ` +
        'can read (format lorechat-backup version 1): version: Invalid input: expected 1\n',
    );
    writeFileSync(join(backup, MANIFEST_FILE), manifestText);
    const log = readFileSync(join(backup, LOG_FILE));
    rmSync(join(backup, LOG_FILE));
    expect((await restore({})).stderr).toBe(
      'lorechat: restore refused: the backup is incomplete: conversations.sqlite is missing\n',
    );
    writeFileSync(join(backup, LOG_FILE), log);

    const file = join(backup, INDEX_FILE);
    const bytes = readFileSync(file);
    bytes.writeUInt8(bytes.readUInt8(bytes.length - 100) ^ 0xff, bytes.length - 100);
    writeFileSync(file, bytes);
    expect(await restore({})).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'lorechat: restore refused: the backup is damaged: index.sqlite does not match the size ' +
        'and SHA-256 in manifest.json\n',
    });
    expect(existsSync(join(empty, INDEX_FILE))).toBe(false);
  });

  it('backs up into a new or empty folder only, and leaves nothing behind when it cannot', async () => {
    const source = await seeded('source', SITE);
    const used = join(scratch, 'used');
    expect(
      (await runBackupCommand('backup', ['--out', used], { LORECHAT_DATA_DIR: source })).code,
    ).toBe(0);
    expect(
      await runBackupCommand('backup', ['--out', used], { LORECHAT_DATA_DIR: source }),
    ).toEqual({
      code: 1,
      stdout: '',
      stderr: `lorechat: backup refused: ${used} is not empty: give --out a new or empty folder (a backup never overwrites another)\n`,
    });
    const nowhere = join(scratch, 'nothing-here');
    const out = join(scratch, 'out');
    expect(
      await runBackupCommand('backup', ['--out', out], { LORECHAT_DATA_DIR: nowhere }),
    ).toMatchObject({
      code: 1,
      stderr: `lorechat: backup refused: there is no index at ${join(nowhere, INDEX_FILE)} to back up: check LORECHAT_DATA_DIR, or ingest a site first\n`,
    });
    expect(existsSync(out)).toBe(false);
  });

  it('explains its usage', async () => {
    const output = captureOutput();
    expect(await backupCommand('restore', [], {}, output)).toBe(1);
    expect(output.text.stderr).toMatch(
      /^lorechat: restore takes --from DIR \(and no --out\)\n\nUsage: lorechat backup --out DIR/,
    );
    const help = captureOutput();
    expect(await backupCommand('backup', ['--help'], {}, help)).toBe(0);
    expect(help.text.stdout).toContain('--force');
    const bad = captureOutput();
    expect(await backupCommand('backup', ['--out'], {}, bad)).toBe(1);
    expect(bad.text.stderr).toMatch(/^lorechat: Option '--out <value>' argument missing/);
  });
});
