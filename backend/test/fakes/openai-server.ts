/**
 * A fake OpenAI for tests. This is a real local HTTP server speaking OpenAI's Chat Completions wire
 * protocol (server-sent `chat.completion.chunk` events ending in `data: [DONE]`, JSON error bodies),
 * not a mock of the SDK: the official `openai` client reaches it over a socket exactly as it
 * reaches api.openai.com, so its retries, timeouts, aborts and error parsing are the real ones.
 *
 *   const openAi = await startFakeOpenAi({ kind: 'stream', tokens: ['Hel', 'lo'] });
 *   // point the provider at openAi.baseUrl, ask, then inspect openAi.requests
 *   await openAi.close();
 */
import { once } from 'node:events';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChatCompletionCreateParams } from 'openai/resources/chat/completions';

/** Streams `tokens` as content deltas, then finishes the way OpenAI does. */
export interface FakeOpenAiStream {
  kind: 'stream';
  tokens: string[];
  /** Pause before each token, in ms. Default 0. */
  tokenDelayMs?: number;
  /**
   * Ends early after `afterTokens` tokens: `cut` destroys the socket without `[DONE]` (a dropped
   * connection), `stall` keeps the connection open and sends nothing more (a hung server). Give a
   * `tokenDelayMs` with `cut` if the client must see the tokens before it: a fetch body that fails
   * drops what it had received but not yet handed out.
   */
  interrupt?: { afterTokens: number; then: 'cut' | 'stall' };
  /**
   * Counts for the usage chunk, sent when the request asked for it (`stream_options.include_usage`).
   * `'omit'` never sends one, like some OpenAI-compatible servers. Default: 12 prompt tokens and
   * one completion token per streamed token.
   */
  usage?: { promptTokens: number; completionTokens: number } | 'omit';
}

/** Answers with an HTTP error status and OpenAI's JSON error body. */
export interface FakeOpenAiError {
  kind: 'error';
  status: number;
  /** Default: a realistic body for the status; a 401 echoes the API key it received. */
  error?: { message: string; type: string; code: string | null };
  /** Value of the `retry-after` header, in seconds. */
  retryAfter?: string;
}

export type FakeOpenAiBehaviour = FakeOpenAiStream | FakeOpenAiError;

/**
 * How the server answers: one behaviour for every request, a queue taken one per request (the last
 * one repeats once the queue is down to it), or a function of the request.
 */
export type FakeOpenAiScript =
  | FakeOpenAiBehaviour
  | FakeOpenAiBehaviour[]
  | ((request: FakeOpenAiRequest) => FakeOpenAiBehaviour);

export interface FakeOpenAiRequest {
  path: string;
  headers: IncomingHttpHeaders;
  /** The JSON body as the client sent it, typed as the SDK's parameters but not validated. */
  body: ChatCompletionCreateParams;
}

const DEFAULT_SCRIPT: FakeOpenAiBehaviour = {
  kind: 'stream',
  tokens: ['Hello', ', ', 'world', '.'],
};
const DEFAULT_PROMPT_TOKENS = 12;
const CHAT_PATHS = new Set(['/v1/chat/completions', '/chat/completions']);

/** Starts a fake OpenAI on 127.0.0.1 with a free port. */
export async function startFakeOpenAi(
  script: FakeOpenAiScript = DEFAULT_SCRIPT,
): Promise<FakeOpenAi> {
  const fake = new FakeOpenAi(script);
  await fake.listen();
  return fake;
}

export class FakeOpenAi {
  /** Every request received, oldest first. */
  readonly requests: FakeOpenAiRequest[] = [];
  private readonly server: Server;
  private closedByClient = 0;
  private abortWaiters: { count: number; resolve: () => void }[] = [];

  constructor(private script: FakeOpenAiScript) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => res.destroy(error as Error));
    });
  }

  async listen(): Promise<void> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
  }

  /** `http://127.0.0.1:<port>/v1`, to use as the provider's base URL. */
  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
  }

  /**
   * How many responses the client closed before the server finished them: a cancel, a timeout or a
   * disconnect that really aborted the HTTP request rather than just stopping reading.
   */
  get abortedRequests(): number {
    return this.closedByClient;
  }

  /** Resolves once `abortedRequests` reaches `count`; rejects after `timeoutMs` rather than hang. */
  async waitForAbort(count = 1, timeoutMs = 2000): Promise<void> {
    if (this.closedByClient >= count) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        this.abortWaiters.push({ count, resolve });
        timer = setTimeout(() => {
          const closed = this.closedByClient;
          reject(
            new Error(
              `the client closed ${closed} of ${count} connections early within ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Replaces the script for the requests that follow. */
  setScript(script: FakeOpenAiScript): void {
    this.script = script;
  }

  /** Stops the server, dropping any connection still open (a stalled stream, a kept-alive socket). */
  async close(): Promise<void> {
    const closed = once(this.server, 'close');
    this.server.close();
    this.server.closeAllConnections();
    await closed;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: ChatCompletionCreateParams;
    try {
      body = JSON.parse(await readBody(req)) as ChatCompletionCreateParams;
    } catch {
      sendError(res, 400, {
        message: 'We could not parse the JSON body of your request.',
        type: 'invalid_request_error',
        code: null,
      });
      return;
    }
    const path = req.url ?? '';
    const request: FakeOpenAiRequest = { path, headers: req.headers, body };
    this.requests.push(request);

    if (req.method !== 'POST' || !CHAT_PATHS.has(path)) {
      sendError(res, 404, {
        message: `Invalid URL (${req.method} ${path})`,
        type: 'invalid_request_error',
        code: null,
      });
      return;
    }
    if (body.stream !== true) {
      sendError(res, 400, {
        message: 'This fake only streams: send "stream": true.',
        type: 'invalid_request_error',
        code: null,
      });
      return;
    }

    const behaviour = this.next(request);
    if (behaviour.kind === 'error') {
      sendError(
        res,
        behaviour.status,
        behaviour.error ?? defaultError(behaviour.status, req.headers),
        behaviour.retryAfter,
      );
      return;
    }
    await this.stream(res, body, behaviour);
  }

  private next(request: FakeOpenAiRequest): FakeOpenAiBehaviour {
    if (typeof this.script === 'function') return this.script(request);
    if (!Array.isArray(this.script)) return this.script;
    const behaviour = this.script.length > 1 ? this.script.shift() : this.script[0];
    return behaviour ?? DEFAULT_SCRIPT;
  }

  private async stream(
    res: ServerResponse,
    body: ChatCompletionCreateParams,
    behaviour: FakeOpenAiStream,
  ): Promise<void> {
    let finishedByServer = false;
    let closed = false;
    res.on('close', () => {
      closed = true;
      if (!finishedByServer) this.recordAbort();
    });
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      'x-request-id': `req_fake_${this.requests.length}`,
    });
    res.flushHeaders();

    const includeUsage = body.stream_options?.include_usage === true;
    const chunk = chunkWriter(res, body.model, this.requests.length, includeUsage);
    chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);

    const { tokens, tokenDelayMs = 0, interrupt } = behaviour;
    const tokensToSend = interrupt ? tokens.slice(0, interrupt.afterTokens) : tokens;
    for (const token of tokensToSend) {
      if (tokenDelayMs > 0) await sleep(tokenDelayMs);
      if (closed) return;
      chunk([{ index: 0, delta: { content: token }, finish_reason: null }]);
    }
    if (interrupt) {
      // The interruption takes the next token's slot, so with a token delay the client has read
      // the tokens before it: a fetch body that errors discards what it had buffered but not read.
      if (tokenDelayMs > 0) await sleep(tokenDelayMs);
      if (interrupt.then === 'cut' && !closed) {
        finishedByServer = true;
        res.destroy();
      }
      return;
    }

    chunk([{ index: 0, delta: {}, finish_reason: 'stop' }]);
    if (includeUsage && behaviour.usage !== 'omit') {
      const promptTokens = behaviour.usage?.promptTokens ?? DEFAULT_PROMPT_TOKENS;
      const completionTokens = behaviour.usage?.completionTokens ?? tokens.length;
      chunk([], {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      });
    }
    finishedByServer = true;
    res.end('data: [DONE]\n\n');
  }

  private recordAbort(): void {
    this.closedByClient += 1;
    const reached = this.abortWaiters.filter((waiter) => waiter.count <= this.closedByClient);
    this.abortWaiters = this.abortWaiters.filter((waiter) => waiter.count > this.closedByClient);
    for (const waiter of reached) waiter.resolve();
  }
}

interface ChunkChoice {
  index: number;
  delta: { role?: 'assistant'; content?: string };
  finish_reason: string | null;
}

interface ChunkUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

/** Writes `chat.completion.chunk` events that share one id, as OpenAI's do. */
function chunkWriter(
  res: ServerResponse,
  model: string,
  requestNumber: number,
  withUsage: boolean,
) {
  const id = `chatcmpl-fake${requestNumber}`;
  const created = Math.floor(Date.now() / 1000);
  return (choices: ChunkChoice[], usage: ChunkUsage | null = null) => {
    const chunk = {
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      system_fingerprint: 'fp_fake',
      choices: choices.map((choice) => ({ ...choice, logprobs: null })),
      // With include_usage, OpenAI sends `usage: null` on every chunk but the last.
      ...(withUsage ? { usage } : {}),
    };
    res.write(`data: ${JSON.stringify(chunk)}\n\n`);
  };
}

function sendError(
  res: ServerResponse,
  status: number,
  error: { message: string; type: string; code: string | null },
  retryAfter?: string,
): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'x-request-id': 'req_fake_error',
    ...(retryAfter === undefined ? {} : { 'retry-after': retryAfter }),
  });
  res.end(JSON.stringify({ error: { ...error, param: null } }));
}

function defaultError(
  status: number,
  headers: IncomingHttpHeaders,
): { message: string; type: string; code: string | null } {
  if (status === 401) {
    // OpenAI echoes (a masked form of) the key it rejected; echoing all of it lets tests prove the
    // key never reaches our own error messages.
    const key = (headers.authorization ?? '').replace(/^Bearer /, '');
    return {
      message: `Incorrect API key provided: ${key}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      type: 'invalid_request_error',
      code: 'invalid_api_key',
    };
  }
  if (status === 429) {
    return {
      message: 'Rate limit reached for requests. Please try again in 1s.',
      type: 'requests',
      code: 'rate_limit_exceeded',
    };
  }
  if (status >= 500) {
    return {
      message: 'The server had an error while processing your request. Sorry about that!',
      type: 'server_error',
      code: null,
    };
  }
  return {
    message: `Request failed with status ${status}.`,
    type: 'invalid_request_error',
    code: null,
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}
