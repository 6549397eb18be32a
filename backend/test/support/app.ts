import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { io, type Socket } from 'socket.io-client';
import { type AppOptions, createApp } from '../../src/app.factory';
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
} from '@lorechat/contracts';

export const FIXTURE_DOCS = join(__dirname, '..', 'fixtures', 'docs');

/** The page origin tests connect from: allowed for the `demo` site by the default SITES. */
export const DEMO_ORIGIN = 'http://localhost:8080';

/** The secret startApp signs visitor tokens with, so tests can forge expired ones. */
export const E2E_TOKEN_SECRET = 'e2e-visitor-token-secret-0123456789abcdef';

/** No quotas unless a test sets them: only the quota tests should ever meet one. */
const NO_QUOTAS = {
  QUOTA_QUESTIONS_PER_MINUTE: '0',
  QUOTA_TOKENS_PER_DAY: '0',
  QUOTA_IP_QUESTIONS_PER_MINUTE: '0',
  QUOTA_IP_TOKENS_PER_DAY: '0',
  SITE_TOKENS_PER_DAY: '0',
};

export interface RunningApp {
  app: NestExpressApplication;
  url: string;
  stop(): Promise<void>;
}

/** Starts the real application on a free loopback port with a fresh data directory. */
export async function startApp(
  env: NodeJS.ProcessEnv = {},
  options: AppOptions = {},
): Promise<RunningApp> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lorechat-e2e-'));
  const config = loadConfig({
    LORECHAT_DATA_DIR: dataDir,
    LORECHAT_DOCS_DIR: FIXTURE_DOCS,
    PUBLIC_URL: 'http://lorechat.test',
    LOG_LEVEL: 'error',
    VISITOR_TOKEN_SECRET: E2E_TOKEN_SECRET,
    ...NO_QUOTAS,
    ...env,
  });
  const app = await createApp(config, options);
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

/** The key the e2e specs give the app for the local fake OpenAI, which no response may contain. */
export const E2E_OPENAI_KEY = 'sk-test-e2e-secret-key-0123456789';

/**
 * The environment that has the app answer through its OpenAI provider pointed at a local fake
 * OpenAI (test/fakes/openai-server.ts): model `gpt-test`, no retries unless the spec adds them.
 */
export function fakeOpenAiEnv(
  openAi: { baseUrl: string },
  apiKey = E2E_OPENAI_KEY,
): NodeJS.ProcessEnv {
  return {
    LLM_PROVIDER: 'openai',
    LLM_MODEL: 'gpt-test',
    LLM_BASE_URL: openAi.baseUrl,
    OPENAI_API_KEY: apiKey,
    LLM_MAX_RETRIES: '0',
  };
}

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** POSTs /v1/visitor-token as the widget does, from `origin` (`null`: no Origin header). */
export function requestVisitorToken(
  url: string,
  body: unknown,
  origin: string | null = DEMO_ORIGIN,
): Promise<Response> {
  return fetch(`${url}/v1/visitor-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(origin === null ? {} : { origin }) },
    body: JSON.stringify(body),
  });
}

/** A visitor token for `siteKey` on `origin`; fails the test if none is issued. */
export async function visitorToken(
  url: string,
  siteKey = 'demo',
  origin = DEMO_ORIGIN,
): Promise<string> {
  const response = await requestVisitorToken(url, { siteKey }, origin);
  if (!response.ok)
    throw new Error(`no visitor token: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { token: string }).token;
}

export interface ConnectOptions {
  /** Default: a fresh token for the `demo` site. `null` sends none. */
  token?: string | null;
  /** The Origin header of the handshake. Default DEMO_ORIGIN. */
  origin?: string;
  /** More handshake headers, such as the X-Forwarded-For a proxy would add. */
  extraHeaders?: Record<string, string>;
  /** Reconnect after a dropped connection, as the widget does. Default false. */
  reconnection?: boolean;
}

/** Opens a socket as a browser page on `origin` would; resolves with it or with the refusal. */
export async function openSocket(
  url: string,
  options: ConnectOptions = {},
): Promise<
  | { socket: ChatSocket; refusal?: undefined }
  | { socket: ChatSocket; refusal: Error & { data?: ErrorPayload } }
> {
  const origin = options.origin ?? DEMO_ORIGIN;
  const token = options.token === undefined ? await visitorToken(url) : options.token;
  const socket: ChatSocket = io(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: options.reconnection ?? false,
    reconnectionDelay: 100,
    auth: token === null ? {} : { token },
    extraHeaders: { ...options.extraHeaders, origin },
  });
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ socket }));
    socket.once('connect_error', (refusal) => resolve({ socket, refusal }));
  });
}

/** The arguments of the socket's next `event`, as the widget would see them. */
export function nextEvent(
  socket: ChatSocket,
  event: 'connect' | 'disconnect' | 'token',
): Promise<unknown[]> {
  return new Promise((resolve) => socket.once(event, (...args: unknown[]) => resolve(args)));
}

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

  /** Connects as a visitor of the `demo` site, with a visitor token like the widget's. */
  static async connect(url: string, options: ConnectOptions = {}): Promise<ChatClient> {
    const { socket, refusal } = await openSocket(url, options);
    if (refusal) throw refusal;
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
