/**
 * `npm run bench:startup [-- --runs N]`
 *
 * Cold start of a built tree, as a user runs it: spawns `npm start` on a free port and times it
 * from the spawn to the first whole answer over Socket.IO (visitor token, connect, ask, `done`).
 * Two cases: a data directory already indexed (every start after the first), and an empty one (a
 * fresh install, which indexes the docs before it answers). Also `node backend/dist/main.js`
 * alone, which shows what npm and the up-to-date checks of the widget and backend builds add.
 * Checks that `npm start` rewrote nothing in backend/dist or widget/dist. Prints each run; last
 * line one JSON object with the medians in seconds.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { io, type Socket } from 'socket.io-client';
import { type ClientToServerEvents, type ServerToClientEvents } from '@lorechat/contracts';
import { freePort } from './free-port';

const ROOT = resolve(__dirname, '..', '..', '..');
const QUESTION = 'How do I crawl my website into LoreChat?';
/** A start slower than this is reported as failed rather than waited for. */
const GIVE_UP_MS = 120_000;

type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Every file under the build outputs with its modification time: a rebuild changes some. */
function outputTimes(): Map<string, number> {
  const times = new Map<string, number>();
  for (const dir of ['backend/dist', 'widget/dist']) {
    for (const entry of readdirSync(join(ROOT, dir), { recursive: true, withFileTypes: true })) {
      if (!entry.isFile()) continue;
      const file = join(entry.parentPath, entry.name);
      times.set(file, statSync(file).mtimeMs);
    }
  }
  return times;
}

/**
 * CPU seconds used so far by the process group `group` (Linux /proc: each member's own time plus
 * that of its children it has waited for), so that a start can be judged on a machine busy with
 * other work, where wall time says more about the others than about LoreChat.
 */
function groupCpuSeconds(group: number): number {
  let ticks = 0;
  try {
    for (const pid of readdirSync('/proc')) {
      if (!/^\d+$/.test(pid)) continue;
      try {
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8')
          .replace(/^.*\) /, '')
          .split(' ');
        if (Number(fields[2]) !== group) continue;
        ticks += [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0);
      } catch {
        // The process ended while being read.
      }
    }
  } catch {
    return NaN;
  }
  return ticks / 100;
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));

/** Polls POST /v1/visitor-token until the server issues one, as the widget would. */
async function visitorToken(url: string, origin: string, deadline: number): Promise<string> {
  for (;;) {
    try {
      const response = await fetch(`${url}/v1/visitor-token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin },
        body: JSON.stringify({ siteKey: 'demo' }),
      });
      if (response.ok) return ((await response.json()) as { token: string }).token;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`no visitor token from ${url}`);
    await sleep(20);
  }
}

/** Connects, asks one question and resolves once `done` arrives: how long, how many sources. */
function firstAnswer(url: string, origin: string, token: string): Promise<string> {
  const socket: ChatSocket = io(url, {
    transports: ['websocket'],
    reconnection: false,
    auth: { token },
    extraHeaders: { origin },
  });
  let text = '';
  let sources = 0;
  return new Promise<string>((done, fail) => {
    socket.once('connect_error', fail);
    socket.once('error', (error) => fail(new Error(`${error.code}: ${error.message}`)));
    socket.on('token', (payload) => (text += payload.text));
    socket.on('sources', (payload) => (sources = payload.sources.length));
    socket.once('done', () => done(`${text.length} characters, ${sources} sources`));
    socket.once('connect', () => {
      socket.emit('ask', { text: QUESTION }, (ack) => {
        if (!ack.ok) fail(new Error(`ask refused: ${ack.error.code}`));
      });
    });
  }).finally(() => socket.disconnect());
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.pid === undefined) return done();
    child.once('exit', () => done());
    // The whole group this bench started: npm, its shell and the server under it.
    process.kill(-child.pid, 'SIGTERM');
  });
}

async function timeStart(
  command: string[],
  dataDir: string,
): Promise<{ seconds: number; cpuSeconds: number; outcome: string }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const started = performance.now();
  const [program = 'npm', ...args] = command;
  const child = spawn(program, args, {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      LORECHAT_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
    },
  });
  let errors = '';
  child.stderr?.on('data', (part: Buffer) => (errors += part.toString()));
  try {
    const token = await visitorToken(url, url, Date.now() + GIVE_UP_MS);
    const outcome = await firstAnswer(url, url, token);
    const seconds = (performance.now() - started) / 1000;
    return { seconds, outcome, cpuSeconds: groupCpuSeconds(child.pid ?? -1) };
  } catch (error) {
    throw new Error(`${command.join(' ')}: ${(error as Error).message}\n${errors}`, {
      cause: error,
    });
  } finally {
    await stop(child);
  }
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '3' } } });
  const runs = Math.max(1, Number(values.runs));
  const before = outputTimes();
  const times = { fresh: [] as number[], indexed: [] as number[], node: [] as number[] };
  const cpu = { fresh: [] as number[], indexed: [] as number[], node: [] as number[] };
  const answers = new Set<string>();
  for (let run = 0; run < runs; run += 1) {
    const dataDir = mkdtempSync(join(tmpdir(), 'lorechat-bench-startup-'));
    try {
      const cases: [keyof typeof times, string[]][] = [
        ['fresh', ['npm', 'start']],
        ['indexed', ['npm', 'start']],
        ['node', ['node', 'backend/dist/main.js']],
      ];
      for (const [name, command] of cases) {
        const { seconds, cpuSeconds, outcome } = await timeStart(command, dataDir);
        times[name].push(seconds);
        cpu[name].push(cpuSeconds);
        answers.add(outcome);
        console.log(
          `${name.padEnd(8)} ${command.join(' ').padEnd(26)} ${seconds.toFixed(2)} s to the first ` +
            `answer, ${cpuSeconds.toFixed(2)} CPU s (${outcome})`,
        );
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
  const after = outputTimes();
  const rewritten = [...after]
    .filter(([file, time]) => before.get(file) !== time)
    .map(([file]) => file);
  if (rewritten.length > 0) console.log(`rewritten by npm start: ${rewritten.join(', ')}`);
  console.log(
    JSON.stringify({
      runs,
      firstAnswerSeconds: Number(median(times.indexed).toFixed(2)),
      firstAnswerFreshDataDirSeconds: Number(median(times.fresh).toFixed(2)),
      firstAnswerNodeOnlySeconds: Number(median(times.node).toFixed(2)),
      cpuSeconds: Number(median(cpu.indexed).toFixed(2)),
      cpuFreshDataDirSeconds: Number(median(cpu.fresh).toFixed(2)),
      cpuNodeOnlySeconds: Number(median(cpu.node).toFixed(2)),
      loadAverage: Number(loadavg()[0]?.toFixed(1)),
      answers: [...answers],
      buildOutputsRewritten: rewritten.length,
    }),
  );
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
