import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { io, type Socket } from 'socket.io-client';
import { createApp } from '../../src/app.factory';
import { loadConfig } from '../../src/config/app-config';
import {
  type AckResponse,
  type AskAccepted,
  type AskPayload,
  type ClientToServerEvents,
  type DonePayload,
  type ErrorPayload,
  type ServerToClientEvents,
  type Source,
} from '../../src/chat/protocol';

export const FIXTURE_DOCS = join(__dirname, '..', 'fixtures', 'docs');

export interface RunningApp {
  app: NestExpressApplication;
  url: string;
  stop(): Promise<void>;
}

/** Starts the real application on a free loopback port with a fresh data directory. */
export async function startApp(env: NodeJS.ProcessEnv = {}): Promise<RunningApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lorechat-e2e-'));
  const config = loadConfig({
    LORECHAT_DATA_DIR: dataDir,
    LORECHAT_DOCS_DIR: FIXTURE_DOCS,
    PUBLIC_URL: 'http://lorechat.test',
    LOG_LEVEL: 'error',
    ...env,
  });
  const app = await createApp(config);
  await app.listen(0, '127.0.0.1');
  return {
    app,
    url: await app.getUrl(),
    stop: async () => {
      await app.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

export interface Answer {
  tokens: string[];
  text: string;
  sources?: Source[];
  done?: DonePayload;
  error?: ErrorPayload;
}

/**
 * A real socket.io-client that records every answer event from the moment it connects, so no event
 * is missed however closely it follows the ack.
 */
export class ChatClient {
  readonly errors: ErrorPayload[] = [];
  private readonly answers = new Map<string, Answer>();
  private readonly waiters = new Map<string, (answer: Answer) => void>();

  private constructor(readonly socket: ChatSocket) {
    socket.on('token', ({ messageId, text }) => {
      const answer = this.answer(messageId);
      answer.tokens.push(text);
      answer.text += text;
    });
    socket.on('sources', ({ messageId, sources }) => {
      this.answer(messageId).sources = sources;
    });
    socket.on('done', (done) => {
      this.answer(done.messageId).done = done;
      this.settle(done.messageId);
    });
    socket.on('error', (error) => {
      this.errors.push(error);
      if (!error.messageId) return;
      this.answer(error.messageId).error = error;
      this.settle(error.messageId);
    });
  }

  static async connect(url: string): Promise<ChatClient> {
    const socket: ChatSocket = io(url, {
      transports: ['websocket'],
      forceNew: true,
      reconnection: false,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('connect_error', reject);
    });
    return new ChatClient(socket);
  }

  /** Sends an `ask` as given (tests send what a broken or hostile client would) and awaits the ack. */
  ask(payload: unknown): Promise<AckResponse<AskAccepted>> {
    return this.socket.timeout(5000).emitWithAck('ask', payload);
  }

  /** Resolves with the whole answer once its `done` or `error` has arrived. */
  answerOf(messageId: string): Promise<Answer> {
    const answer = this.answers.get(messageId);
    if (answer?.done || answer?.error) return Promise.resolve(answer);
    return new Promise((resolve) => this.waiters.set(messageId, resolve));
  }

  /** Asks and waits for the whole answer; fails the test if the ask is refused. */
  async askAndWait(payload: AskPayload): Promise<Answer & { accepted: AskAccepted }> {
    const response = await this.ask(payload);
    if (!response.ok)
      throw new Error(`ask refused: ${response.error.code}: ${response.error.message}`);
    const { conversationId, messageId } = response;
    return { ...(await this.answerOf(messageId)), accepted: { conversationId, messageId } };
  }

  /** The next `error` event, whatever it is about. */
  nextError(): Promise<ErrorPayload> {
    return new Promise((resolve) => this.socket.once('error', resolve));
  }

  close(): void {
    this.socket.disconnect();
  }

  private answer(messageId: string): Answer {
    let answer = this.answers.get(messageId);
    if (!answer) {
      answer = { tokens: [], text: '' };
      this.answers.set(messageId, answer);
    }
    return answer;
  }

  private settle(messageId: string): void {
    this.waiters.get(messageId)?.(this.answer(messageId));
    this.waiters.delete(messageId);
  }
}
