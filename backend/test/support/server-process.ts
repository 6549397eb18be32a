/**
 * The real server as a child process: `src/main.ts` run by plain node through
 * scripts/register-typescript.js, on a free port and a data folder of its own, with its output
 * kept for the test to read. The e2e specs that need a process (signals, node:cluster workers)
 * start it here.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../src/bench/free-port';
import { E2E_TOKEN_SECRET, FIXTURE_DOCS } from './app';

const ROOT = join(__dirname, '..', '..', '..');

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  /** Everything it wrote to stdout and stderr so far. */
  output: () => string;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

export interface ServerProcessOptions {
  /** Added to (and overriding) the defaults: the port, the data folder, the fixture docs, a token secret. */
  env?: NodeJS.ProcessEnv;
  /** Ready once `/health` answers (the default), or once the output says so. */
  readyWhen?: RegExp;
  startTimeoutMs?: number;
}

export async function startServerProcess({
  env = {},
  readyWhen,
  startTimeoutMs = 30_000,
}: ServerProcessOptions = {}): Promise<ServerProcess> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), 'lorechat-process-'));
  const child = spawn(
    process.execPath,
    [
      '-r',
      join(ROOT, 'scripts', 'register-typescript.js'),
      join(ROOT, 'backend', 'src', 'main.ts'),
    ],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        HOST: '127.0.0.1',
        LORECHAT_DATA_DIR: dataDir,
        LORECHAT_DOCS_DIR: FIXTURE_DOCS,
        VISITOR_TOKEN_SECRET: E2E_TOKEN_SECRET,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  void exited.finally(() => rmSync(dataDir, { recursive: true, force: true }));
  const url = `http://127.0.0.1:${port}`;
  const ready = readyWhen
    ? () => Promise.resolve(readyWhen.test(output))
    : async () => (await healthStatus(url).catch(() => 0)) !== 0;
  const deadline = Date.now() + startTimeoutMs;
  while (!(await ready())) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`the server did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return { child, url, output: () => output, exited };
}

/** The status `/health` answers with. */
export async function healthStatus(url: string): Promise<number> {
  const response = await fetch(`${url}/health`);
  await response.body?.cancel();
  return response.status;
}
