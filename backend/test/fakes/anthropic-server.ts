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
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  FakeHttpServer,
  type FakeRequest,
  type FakeScript,
  readJson,
  startEventStream,
} from './fake-http-server';

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

/** How the server answers: see `FakeScript`. */
export type FakeAnthropicScript = FakeScript<FakeAnthropicRequest, FakeAnthropicBehaviour>;

export type FakeAnthropicRequest = FakeRequest<MessageCreateParams>;

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
export function startFakeAnthropic(
  script: FakeAnthropicScript = DEFAULT_SCRIPT,
): Promise<FakeAnthropic> {
  return new FakeAnthropic(script).listen();
}

export class FakeAnthropic extends FakeHttpServer<FakeAnthropicRequest, FakeAnthropicBehaviour> {
  constructor(script: FakeAnthropicScript) {
    super(DEFAULT_SCRIPT, script);
  }

  /** `http://127.0.0.1:<port>`, to use as the provider's base URL (the SDK adds `/v1/messages`). */
  get baseUrl(): string {
    return this.url;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson<MessageCreateParams>(req);
    if (body === undefined) {
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

    const behaviour = this.nextBehaviour(request);
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

  private async stream(
    res: ServerResponse,
    body: MessageCreateParams,
    behaviour: FakeAnthropicStream,
  ): Promise<void> {
    const { clientGone, endedByServer } = this.watch(res);
    startEventStream(res, { 'request-id': `req_fake_${this.requests.length}` });

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
      if (clientGone.aborted) return;
      send('content_block_delta', { index: 0, delta: { type: 'text_delta', text: token } });
    }
    if (interrupt) {
      // The interruption takes the next token's slot, so with a token delay the client has read
      // the tokens before it.
      if (tokenDelayMs > 0) await sleep(tokenDelayMs);
      if (clientGone.aborted || interrupt.then === 'stall') return;
      if (interrupt.then === 'error') {
        send('error', { error: interrupt.error });
        res.end();
      } else {
        endedByServer();
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
    res.end();
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
