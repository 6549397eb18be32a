/**
 * A fake OpenAI for tests. This is a real local HTTP server speaking OpenAI's Chat Completions wire
 * protocol (server-sent `chat.completion.chunk` events ending in `data: [DONE]`, JSON error bodies),
 * not a mock of a client: LoreChat's chat provider (node:http) and the official `openai` SDK (for
 * embeddings) reach it over a socket exactly as they reach api.openai.com, so their timeouts,
 * aborts and error parsing are the real ones.
 *
 *   const openAi = await startFakeOpenAi({ kind: 'stream', tokens: ['Hel', 'lo'] });
 *   // point the provider at openAi.baseUrl, ask, then inspect openAi.requests
 *   await openAi.close();
 *
 * It also answers the Embeddings API (`POST /v1/embeddings`: a JSON `list` of `embedding` objects
 * with their input's `index`, and `usage`), with vectors derived from each input text (see
 * `fakeEmbedding`). Embedding requests have their own record (`embeddingRequests`) and script
 * (`setEmbeddingScript`), so one server can stand in for both APIs of one app.
 */
import { createHash } from 'node:crypto';
import { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChatCompletionCreateParams } from 'openai/resources/chat/completions';
import type { EmbeddingCreateParams } from 'openai/resources/embeddings';
import {
  FakeHttpServer,
  type FakeRequest,
  type FakeScript,
  readJson,
  startEventStream,
} from './fake-http-server';

/** Streams `tokens` as content deltas, then finishes the way OpenAI does. */
export interface FakeOpenAiStream {
  kind: 'stream';
  tokens: string[];
  /** Pause before each token, in ms. Default 0. */
  tokenDelayMs?: number;
  /**
   * Ends early after `afterTokens` tokens: `cut` destroys the socket without `[DONE]` (a dropped
   * connection), `stall` keeps the connection open and sends nothing more (a hung server), `error`
   * sends the error object OpenAI streams when it fails mid-answer and ends the response. Give a
   * `tokenDelayMs` with `cut` if the client must see the tokens before it: a client may drop what
   * it had received but not yet handed out when the body fails.
   */
  interrupt?: { afterTokens: number; then: 'cut' | 'stall' | 'error' };
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

/** How the server answers: see `FakeScript`. */
export type FakeOpenAiScript = FakeScript<FakeOpenAiRequest, FakeOpenAiBehaviour>;

export type FakeOpenAiRequest = FakeRequest<ChatCompletionCreateParams>;

/** Answers an embeddings request with one `fakeEmbedding` per input. */
export interface FakeOpenAiEmbeddings {
  kind: 'embeddings';
  /**
   * Vector length to answer with whatever the request asked, like a compatible server that
   * ignores `dimensions`. Default: the request's `dimensions`, else the model's native size.
   */
  dimensions?: number;
}

export type FakeOpenAiEmbeddingBehaviour = FakeOpenAiEmbeddings | FakeOpenAiError;

export type FakeOpenAiEmbeddingRequest = FakeRequest<EmbeddingCreateParams>;

/** How the server answers embedding requests: see `FakeScript`. */
export type FakeOpenAiEmbeddingScript = FakeScript<
  FakeOpenAiEmbeddingRequest,
  FakeOpenAiEmbeddingBehaviour
>;

const DEFAULT_SCRIPT: FakeOpenAiBehaviour = {
  kind: 'stream',
  tokens: ['Hello', ', ', 'world', '.'],
};
const DEFAULT_PROMPT_TOKENS = 12;
const CHAT_PATHS = new Set(['/v1/chat/completions', '/chat/completions']);
const EMBEDDING_PATHS = new Set(['/v1/embeddings', '/embeddings']);
const DEFAULT_EMBEDDING_BEHAVIOUR: FakeOpenAiEmbeddingBehaviour = { kind: 'embeddings' };
/** Vector sizes of OpenAI's embedding models; other models are unknown, as on api.openai.com. */
const EMBEDDING_MODEL_DIMENSIONS: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

/** Starts a fake OpenAI on 127.0.0.1 with a free port. */
export function startFakeOpenAi(script: FakeOpenAiScript = DEFAULT_SCRIPT): Promise<FakeOpenAi> {
  return new FakeOpenAi(script).listen();
}

export class FakeOpenAi extends FakeHttpServer<FakeOpenAiRequest, FakeOpenAiBehaviour> {
  /** Every embeddings request received, oldest first (chat requests are in `requests`). */
  readonly embeddingRequests: FakeOpenAiEmbeddingRequest[] = [];
  private embeddingScript: FakeOpenAiEmbeddingScript = DEFAULT_EMBEDDING_BEHAVIOUR;

  constructor(script: FakeOpenAiScript) {
    super(DEFAULT_SCRIPT, script);
  }

  /** Replaces the script for the embedding requests that follow; chat keeps its own script. */
  setEmbeddingScript(script: FakeOpenAiEmbeddingScript): void {
    this.embeddingScript = script;
  }

  /** `http://127.0.0.1:<port>/v1`, to use as the provider's base URL. */
  get baseUrl(): string {
    return `${this.url}/v1`;
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readJson<ChatCompletionCreateParams>(req);
    if (body === undefined) {
      sendError(res, 400, {
        message: 'We could not parse the JSON body of your request.',
        type: 'invalid_request_error',
        code: null,
      });
      return;
    }
    const path = req.url ?? '';
    if (req.method === 'POST' && EMBEDDING_PATHS.has(path)) {
      const request: FakeOpenAiEmbeddingRequest = {
        path,
        headers: req.headers,
        body: body as unknown as EmbeddingCreateParams,
      };
      this.embeddingRequests.push(request);
      this.embeddings(res, request);
      return;
    }
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

    const behaviour = this.nextBehaviour(request);
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

  private async stream(
    res: ServerResponse,
    body: ChatCompletionCreateParams,
    behaviour: FakeOpenAiStream,
  ): Promise<void> {
    const { clientGone, endedByServer } = this.watch(res);
    startEventStream(res, { 'x-request-id': `req_fake_${this.requests.length}` });

    const includeUsage = body.stream_options?.include_usage === true;
    const chunk = chunkWriter(res, body.model, this.requests.length, includeUsage);
    chunk([{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }]);

    const { tokens, tokenDelayMs = 0, interrupt } = behaviour;
    const tokensToSend = interrupt ? tokens.slice(0, interrupt.afterTokens) : tokens;
    for (const token of tokensToSend) {
      if (tokenDelayMs > 0) await sleep(tokenDelayMs);
      if (clientGone.aborted) return;
      chunk([{ index: 0, delta: { content: token }, finish_reason: null }]);
    }
    if (interrupt) {
      // The interruption takes the next token's slot, so with a token delay the client has read
      // the tokens before it: a client may discard what it had buffered but not read on an error.
      if (tokenDelayMs > 0) await sleep(tokenDelayMs);
      if (interrupt.then === 'cut' && !clientGone.aborted) {
        endedByServer();
        res.destroy();
      }
      if (interrupt.then === 'error') {
        const error = {
          message: 'The server had an error processing your request.',
          type: 'server_error',
          code: null,
        };
        res.end(`data: ${JSON.stringify({ error })}\n\n`);
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
    res.end('data: [DONE]\n\n');
  }

  private embeddings(res: ServerResponse, request: FakeOpenAiEmbeddingRequest): void {
    const behaviour = this.nextEmbeddingBehaviour(request);
    if (behaviour.kind === 'error') {
      sendError(
        res,
        behaviour.status,
        behaviour.error ?? defaultError(behaviour.status, request.headers),
        behaviour.retryAfter,
      );
      return;
    }
    const { model, input, dimensions, encoding_format } = request.body;
    const inputs = typeof input === 'string' ? [input] : input;
    if (!Array.isArray(inputs) || inputs.some((text) => typeof text !== 'string' || text === '')) {
      // OpenAI's answer to an empty string; token arrays are valid there but never sent by us.
      sendError(res, 400, {
        message: "'$.input' is invalid. Please check the API reference.",
        type: 'invalid_request_error',
        code: null,
      });
      return;
    }
    if (encoding_format !== 'float') {
      sendError(res, 400, {
        message: 'This fake answers in floats only: send "encoding_format": "float".',
        type: 'invalid_request_error',
        code: null,
      });
      return;
    }
    const size = behaviour.dimensions ?? dimensions ?? EMBEDDING_MODEL_DIMENSIONS[model];
    if (size === undefined) {
      sendError(res, 404, {
        message: `The model \`${model}\` does not exist or you do not have access to it.`,
        type: 'invalid_request_error',
        code: 'model_not_found',
      });
      return;
    }
    const texts = inputs as string[];
    const promptTokens = texts.reduce((sum, text) => sum + Math.ceil(text.length / 4), 0);
    res.writeHead(200, {
      'content-type': 'application/json',
      'x-request-id': `req_fake_embeddings_${this.embeddingRequests.length}`,
    });
    res.end(
      JSON.stringify({
        object: 'list',
        data: texts.map((text, index) => ({
          object: 'embedding',
          index,
          embedding: fakeEmbedding(text, size),
        })),
        model,
        usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
      }),
    );
  }

  /** The scripted embeddings behaviour for `request`, read the way `FakeScript` describes. */
  private nextEmbeddingBehaviour(
    request: FakeOpenAiEmbeddingRequest,
  ): FakeOpenAiEmbeddingBehaviour {
    const script = this.embeddingScript;
    if (typeof script === 'function') return script(request);
    if (!Array.isArray(script)) return script;
    return (script.length > 1 ? script.shift() : script[0]) ?? DEFAULT_EMBEDDING_BEHAVIOUR;
  }
}

/**
 * The fake's unit-length vector for `text`: pseudo-random components seeded by the text's SHA-256,
 * so the same text always gets the same vector and tests can tell which vector belongs to which
 * text. Different lengths are different vectors, not prefixes of one another.
 */
export function fakeEmbedding(text: string, dimensions: number): number[] {
  const seed = createHash('sha256').update(`${dimensions}:${text}`).digest();
  let state = seed.readUInt32LE(0) || 1;
  const components = Array.from({ length: dimensions }, () => {
    // xorshift32: deterministic and good enough to make distinct texts' vectors distinct.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x80000000 - 1;
  });
  const length = Math.hypot(...components);
  return components.map((component) => component / length);
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

/** Whether a request is the small one that rewrites a follow-up as a standalone question. */
export function isCondenseRequest(request: FakeOpenAiRequest): boolean {
  const system = request.body.messages[0];
  return (
    typeof system?.content === 'string' && system.content.startsWith('Rewrite the last question')
  );
}

/**
 * A script that answers the follow-up rewrite the way a model would for these tests' questions
 * (the visitor's questions joined into one) and every other request as `answer` does.
 */
export function withCondense(answer: FakeOpenAiScript): FakeOpenAiScript {
  const queue = Array.isArray(answer) ? [...answer] : undefined;
  return (request) => {
    if (isCondenseRequest(request)) {
      const content = request.body.messages.at(-1)?.content;
      const prompt = typeof content === 'string' ? content : '';
      const questions = [...prompt.matchAll(/^Visitor: (.*)$/gm)].map((match) => match[1]);
      return { kind: 'stream', tokens: [questions.join(' ')] };
    }
    if (typeof answer === 'function') return answer(request);
    if (!queue) return answer as FakeOpenAiBehaviour;
    return (queue.length > 1 ? queue.shift() : queue[0]) as FakeOpenAiBehaviour;
  };
}

/** The requests that asked for an answer, without the follow-up rewrites. */
export function answerRequests(fake: FakeOpenAi): FakeOpenAiRequest[] {
  return fake.requests.filter((request) => !isCondenseRequest(request));
}
