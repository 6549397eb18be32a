/**
 * A fake Anthropic for tests. This is a real local HTTP server speaking the Messages API's wire
 * protocol (named server-sent events: message_start, content_block_start, ping,
 * content_block_delta, content_block_stop, message_delta, message_stop, and the in-stream `error`
 * event; JSON error bodies with the matching status), not a mock of the SDK: the official
 * `@anthropic-ai/sdk` client reaches it over a socket exactly as it reaches api.anthropic.com, so
 * its retries, timeouts, aborts and error parsing are the real ones.
 *
 *   const anthropic = await startFakeAnthropic({ kind: 'stream', tokens: ['Hel', 'lo'] });
 *   // point the provider at anthropic.baseUrl, ask, then inspect anthropic.requests
 *   await anthropic.close();
 */
import type { MessageCreateParams } from '@anthropic-ai/sdk/resources/messages';
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

/** The `error` object of Anthropic's error bodies and error events. */
export interface FakeAnthropicErrorObject {
  /** e.g. overloaded_error, rate_limit_error, api_error, authentication_error. */
  type: string;
  message: string;
}

/** Streams `tokens` as text deltas of one text block, then finishes the way Anthropic does. */
export interface FakeAnthropicStream {
  kind: 'stream';
  tokens: string[];
  /** Pause before each token, in ms. Default 0. */
  tokenDelayMs?: number;
  /**
   * Ends early after `afterTokens` tokens: `cut` destroys the socket before message_stop (a
   * dropped connection), `stall` keeps the connection open and sends nothing more (a hung server),
   * `error` sends Anthropic's in-stream `event: error` and ends the response. Give a
   * `tokenDelayMs` with `cut` if the client must see the tokens before it: a fetch body that fails
   * drops what it had received but not yet handed out.
   */
  interrupt?:
    | { afterTokens: number; then: 'cut' | 'stall' }
    | { afterTokens: number; then: 'error'; error: FakeAnthropicErrorObject };
  /** Default: 12 input tokens and one output token per streamed token. */
  usage?: { inputTokens: number; outputTokens: number };
}

/** Answers with an HTTP error status and Anthropic's JSON error body. */
export interface FakeAnthropicError {
  kind: 'error';
  status: number;
  /** Default: the error type and message Anthropic uses for the status. */
  error?: FakeAnthropicErrorObject;
  /** Value of the `retry-after` header, in seconds. */
  retryAfter?: string;
}

export type FakeAnthropicBehaviour = FakeAnthropicStream | FakeAnthropicError;

/**
 * How the server answers: one behaviour for every request, a queue taken one per request (the last
 * one repeats once the queue is down to it), or a function of the request.
 */
export type FakeAnthropicScript =
  | FakeAnthropicBehaviour
  | FakeAnthropicBehaviour[]
  | ((request: FakeAnthropicRequest) => FakeAnthropicBehaviour);

export interface FakeAnthropicRequest {
  path: string;
  headers: IncomingHttpHeaders;
  /** The JSON body as the client sent it, typed as the SDK's parameters but not validated. */
  body: MessageCreateParams;
}

const DEFAULT_SCRIPT: FakeAnthropicBehaviour = {
  kind: 'stream',
  tokens: ['Hello', ', ', 'world', '.'],
};
const DEFAULT_INPUT_TOKENS = 12;
const MESSAGES_PATH = '/v1/messages';
/** Rejected on every model by API version 2026-10-21, the one the SDK sends. */
const SAMPLING_PARAMETERS = ['temperature', 'top_p', 'top_k'];

const SERVER_ERROR: FakeAnthropicErrorObject = {
  type: 'api_error',
  message: 'Internal server error',
};

/** The error type and message Anthropic answers each status with. */
const ERRORS_BY_STATUS: Record<number, FakeAnthropicErrorObject> = {
  400: { type: 'invalid_request_error', message: 'Invalid request.' },
  401: { type: 'authentication_error', message: 'invalid x-api-key' },
  403: {
    type: 'permission_error',
    message: 'Your API key does not have permission to use the specified resource.',
  },
  404: { type: 'not_found_error', message: 'The requested resource could not be found.' },
  413: {
    type: 'request_too_large',
    message: 'Request exceeds the maximum allowed number of bytes.',
  },
  429: { type: 'rate_limit_error', message: 'Number of requests has exceeded your rate limit.' },
  500: SERVER_ERROR,
  529: { type: 'overloaded_error', message: 'Overloaded' },
};

/** Starts a fake Anthropic on 127.0.0.1 with a free port. */
export async function startFakeAnthropic(
  script: FakeAnthropicScript = DEFAULT_SCRIPT,
): Promise<FakeAnthropic> {
  const fake = new FakeAnthropic(script);
  await fake.listen();
  return fake;
}

export class FakeAnthropic {
  /** Every request received, oldest first. */
  readonly requests: FakeAnthropicRequest[] = [];
  private readonly server: Server;
  private closedByClient = 0;
  private abortWaiters: { count: number; resolve: () => void }[] = [];

  constructor(private script: FakeAnthropicScript) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => res.destroy(error as Error));
    });
  }

  async listen(): Promise<void> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
  }

  /** `http://127.0.0.1:<port>`, to use as the provider's base URL (the SDK adds `/v1/messages`). */
  get baseUrl(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
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
  setScript(script: FakeAnthropicScript): void {
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
    let body: MessageCreateParams;
    try {
      body = JSON.parse(await readBody(req)) as MessageCreateParams;
    } catch {
      sendError(res, 400, {
        type: 'invalid_request_error',
        message: 'The body is not valid JSON.',
      });
      return;
    }
    const path = req.url ?? '';
    const request: FakeAnthropicRequest = { path, headers: req.headers, body };
    this.requests.push(request);

    if (req.method !== 'POST' || path !== MESSAGES_PATH) {
      sendError(res, 404, { type: 'not_found_error', message: 'Not Found' });
      return;
    }
    const samplingParameter = SAMPLING_PARAMETERS.find((name) => name in body);
    if (samplingParameter) {
      sendError(res, 400, {
        type: 'invalid_request_error',
        message: `${samplingParameter}: Extra inputs are not permitted`,
      });
      return;
    }
    if (body.stream !== true) {
      sendError(res, 400, {
        type: 'invalid_request_error',
        message: 'This fake only streams: send "stream": true.',
      });
      return;
    }

    const behaviour = this.next(request);
    if (behaviour.kind === 'error') {
      sendError(
        res,
        behaviour.status,
        behaviour.error ?? ERRORS_BY_STATUS[behaviour.status] ?? SERVER_ERROR,
        behaviour.retryAfter,
      );
      return;
    }
    await this.stream(res, body, behaviour);
  }

  private next(request: FakeAnthropicRequest): FakeAnthropicBehaviour {
    if (typeof this.script === 'function') return this.script(request);
    if (!Array.isArray(this.script)) return this.script;
    const behaviour = this.script.length > 1 ? this.script.shift() : this.script[0];
    return behaviour ?? DEFAULT_SCRIPT;
  }

  private async stream(
    res: ServerResponse,
    body: MessageCreateParams,
    behaviour: FakeAnthropicStream,
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
      'request-id': `req_fake_${this.requests.length}`,
    });
    res.flushHeaders();

    const { tokens, tokenDelayMs = 0, interrupt } = behaviour;
    const inputTokens = behaviour.usage?.inputTokens ?? DEFAULT_INPUT_TOKENS;
    const outputTokens = behaviour.usage?.outputTokens ?? tokens.length;
    const send = (event: string, data: object) =>
      res.write(`event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`);

    send('message_start', {
      message: {
        id: `msg_fake${this.requests.length}`,
        type: 'message',
        role: 'assistant',
        content: [],
        model: body.model,
        stop_reason: null,
        stop_sequence: null,
        // As Anthropic does: the input count up front, a provisional output count of 1.
        usage: {
          input_tokens: inputTokens,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          output_tokens: 1,
        },
      },
    });
    send('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    send('ping', {});

    const tokensToSend = interrupt ? tokens.slice(0, interrupt.afterTokens) : tokens;
    for (const token of tokensToSend) {
      if (tokenDelayMs > 0) await sleep(tokenDelayMs);
      if (closed) return;
      send('content_block_delta', { index: 0, delta: { type: 'text_delta', text: token } });
    }
    if (interrupt) {
      // The interruption takes the next token's slot, so with a token delay the client has read
      // the tokens before it.
      if (tokenDelayMs > 0) await sleep(tokenDelayMs);
      if (closed || interrupt.then === 'stall') return;
      finishedByServer = true;
      if (interrupt.then === 'error') {
        send('error', { error: interrupt.error });
        res.end();
      } else {
        res.destroy();
      }
      return;
    }

    send('content_block_stop', { index: 0 });
    send('message_delta', {
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: outputTokens },
    });
    send('message_stop', {});
    finishedByServer = true;
    res.end();
  }

  private recordAbort(): void {
    this.closedByClient += 1;
    const reached = this.abortWaiters.filter((waiter) => waiter.count <= this.closedByClient);
    this.abortWaiters = this.abortWaiters.filter((waiter) => waiter.count > this.closedByClient);
    for (const waiter of reached) waiter.resolve();
  }
}

function sendError(
  res: ServerResponse,
  status: number,
  error: FakeAnthropicErrorObject,
  retryAfter?: string,
): void {
  res.writeHead(status, {
    'content-type': 'application/json',
    'request-id': 'req_fake_error',
    ...(retryAfter === undefined ? {} : { 'retry-after': retryAfter }),
  });
  res.end(JSON.stringify({ type: 'error', error }));
}

async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts).toString('utf8');
}
