/**
 * The server's memory on a given index, for `npm run bench:retrieval`: starts the real backend
 * (`dist/main.js`, as `npm start` runs it, keyword search on the embedded store, the offline
 * extractive answerer) on the data directory, asks it questions over Socket.IO as the widget does,
 * and reads the process's resident memory from the kernel (Linux /proc) after the answers.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AckResponse, type AskAccepted } from '@lorechat/contracts';
import { freePort } from './free-port';
import { type ChatSocket, connectVisitor } from './bench-visitor';

/** The default SITES allow this origin for the `demo` site key. */

export interface ServerMemory {
  /** Resident set size after the answers, bytes. */
  rssBytes: number;
  /** The most resident memory the process ever had (VmHWM), bytes. */
  peakRssBytes: number;
  answered: number;
}

export async function measureServerMemory(
  dataDir: string,
  questions: string[],
  settings: Record<string, string | undefined>,
): Promise<ServerMemory> {
  const port = await freePort();
  const main = resolve(__dirname, `../main${extname(__filename)}`);
  const child = fork(main, [], {
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      HOST: '127.0.0.1',
      PORT: String(port),
      LORECHAT_DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      RESPONSE_CACHE_ENABLED: 'false',
      QUOTA_QUESTIONS_PER_MINUTE: '0',
      QUOTA_TOKENS_PER_DAY: '0',
      QUOTA_IP_QUESTIONS_PER_MINUTE: '0',
      QUOTA_IP_TOKENS_PER_DAY: '0',
      SITE_TOKENS_PER_DAY: '0',
      ...settings,
    },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  const errors: string[] = [];
  child.stderr?.on('data', (data: Buffer) => errors.push(data.toString()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await ready(child, url, errors);
    const socket = await connectVisitor(url);
    let answered = 0;
    for (const text of questions) {
      await ask(socket, text);
      answered += 1;
    }
    socket.disconnect();
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    return {
      rssBytes: statusKilobytes(status, 'VmRSS') * 1024,
      peakRssBytes: statusKilobytes(status, 'VmHWM') * 1024,
      answered,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((done) => (child.exitCode !== null ? done(null) : child.once('exit', done)));
  }
}

async function ready(child: ChildProcess, url: string, errors: string[]): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`the server exited (${child.exitCode}): ${errors.join('')}`);
    }
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(200);
  }
  throw new Error('the server was not ready within 120 s');
}

/** Asks one question in a new conversation and waits for its answer to finish. */
function ask(socket: ChatSocket, text: string): Promise<void> {
  return new Promise((resolved, rejected) => {
    const finish = (error?: Error) => {
      socket.off('done', onDone);
      socket.off('error', onError);
      if (error) rejected(error);
      else resolved();
    };
    const onDone = () => finish();
    const onError = ({ code, message }: { code: string; message: string }) =>
      finish(new Error(`${code}: ${message}`));
    socket.on('done', onDone);
    socket.on('error', onError);
    socket.emit('ask', { text }, (response: AckResponse<AskAccepted>) => {
      if (!response.ok) finish(new Error(`ask refused: ${response.error.message}`));
    });
  });
}

function statusKilobytes(status: string, field: string): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!match) throw new Error(`/proc status has no ${field}`);
  return Number(match[1]);
}
