/**
 * The built server and `lorechat` command as `npm run drill` runs them: each in a process of its
 * own, as an operator runs them side by side, and a visitor's questions over Socket.IO.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { extname, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type AckResponse, type AskAccepted } from '@lorechat/contracts';
import { freePort } from './free-port';
import { type ChatSocket, connectVisitor } from './bench-visitor';

/** The default SITES allow this origin for the `demo` site key. */
/** A start slower than this (indexing the docs on a busy machine) is reported as failed. */
const READY_WITHIN_MS = 180_000;

const MAIN = resolve(__dirname, `../main${extname(__filename)}`);
const CLI = resolve(__dirname, `../cli${extname(__filename)}`);

/** What a visitor sees of an answer: its text and the pages it cites. */
export interface SeenAnswer {
  question: string;
  text: string;
  sources: string[];
}

/** The server's settings for the drill: no quotas or cache between the visitor and the index. */
function serverEnv(settings: Record<string, string>, port?: number): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    HOST: '127.0.0.1',
    ...(port === undefined ? {} : { PORT: String(port) }),
    LOG_LEVEL: 'warn',
    RESPONSE_CACHE_ENABLED: 'false',
    QUOTA_QUESTIONS_PER_MINUTE: '0',
    QUOTA_TOKENS_PER_DAY: '0',
    QUOTA_IP_QUESTIONS_PER_MINUTE: '0',
    QUOTA_IP_TOKENS_PER_DAY: '0',
    SITE_TOKENS_PER_DAY: '0',
    ...settings,
  };
}

export class DrillServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {}

  /** Starts `dist/main.js` and resolves once /health says its index holds pages. */
  static async start(settings: Record<string, string>): Promise<DrillServer> {
    const port = await freePort();
    const child = fork(MAIN, [], {
      env: serverEnv(settings, port),
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    const errors: string[] = [];
    child.stderr?.on('data', (data: Buffer) => errors.push(data.toString()));
    const server = new DrillServer(child, `http://127.0.0.1:${port}`);
    try {
      await server.ready(errors);
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  }

  private async ready(errors: string[]): Promise<void> {
    const deadline = Date.now() + READY_WITHIN_MS;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null) {
        throw new Error(`the server exited (${this.child.exitCode}): ${errors.join('')}`);
      }
      try {
        const response = await fetch(`${this.url}/health`);
        const body = (await response.json()) as {
          dependencies?: { index?: { documents?: number } };
        };
        if (response.ok && (body.dependencies?.index?.documents ?? 0) > 0) return;
      } catch {
        // Not listening yet.
      }
      await sleep(200);
    }
    throw new Error(`the server was not ready within ${READY_WITHIN_MS / 1000} s`);
  }

  /** Asks each question in a new conversation, one after the other, as one visitor. */
  async answers(questions: string[]): Promise<SeenAnswer[]> {
    const socket = await connectVisitor(this.url);
    const ownPort = new URL(this.url).port;
    try {
      const seen: SeenAnswer[] = [];
      for (const question of questions) {
        const answer = await ask(socket, question);
        // The bundled docs are cited at the answering server's own address (its PUBLIC_URL, on its
        // port), which differs between the original and the restored server: compared by path.
        const sources = answer.sources.map((url) => {
          const cited = new URL(url);
          return cited.port === ownPort ? `${cited.pathname}${cited.search}${cited.hash}` : url;
        });
        seen.push({ ...answer, sources });
      }
      return seen;
    } finally {
      socket.disconnect();
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((done) => this.child.once('exit', done));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** Runs `lorechat <args>` (the built dist/cli.js) in a process of its own. */
export function runCommand(
  args: string[],
  settings: Record<string, string>,
): Promise<{ code: number; output: string }> {
  const child = fork(CLI, args, {
    env: serverEnv(settings),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  child.stdout?.on('data', (data: Buffer) => (output += data.toString()));
  child.stderr?.on('data', (data: Buffer) => (output += data.toString()));
  return new Promise((done) => child.once('exit', (code) => done({ code: code ?? -1, output })));
}

/**
 * Asks one question in a new conversation and collects its text and sources until `done`. One
 * question at a time per socket, so every event on it belongs to this answer.
 */
function ask(socket: ChatSocket, question: string): Promise<SeenAnswer> {
  return new Promise((resolved, rejected) => {
    const seen: SeenAnswer = { question, text: '', sources: [] };
    const onToken = ({ text }: { text: string }) => (seen.text += text);
    const onSources = ({ sources }: { sources: { url: string }[] }) =>
      (seen.sources = sources.map((source) => source.url));
    const finish = (error?: Error) => {
      socket.off('token', onToken);
      socket.off('sources', onSources);
      socket.off('done', onDone);
      socket.off('error', onError);
      if (error) rejected(error);
      else resolved(seen);
    };
    const onDone = () => finish();
    const onError = ({ code, message }: { code: string; message: string }) =>
      finish(new Error(`${code}: ${message}`));
    socket.on('token', onToken);
    socket.on('sources', onSources);
    socket.on('done', onDone);
    socket.on('error', onError);
    socket.emit('ask', { text: question }, (response: AckResponse<AskAccepted>) => {
      if (!response.ok) finish(new Error(`ask refused: ${response.error.message}`));
    });
  });
}
