import {
  Agent as HttpAgent,
  type IncomingHttpHeaders,
  type IncomingMessage,
  request as httpRequest,
} from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { type Usage } from '@lorechat/contracts';
import { type LlmSettings } from '../../config/app-config';
import { describeCause } from '../../common/error-cause';
import { estimateTokens } from '../../text/tokens';
import { failureForStatus, LlmError, providerRetryAfterMs } from '../llm-error';
import { type LlmDescription, type LlmEvent, LlmProvider, type LlmRequest } from '../llm-provider';
import { SseParser } from '../sse';

const OPENAI_API = 'https://api.openai.com/v1';
/** Enough of an error response to find its type and code; the rest is not read. */
const ERROR_BODY_LIMIT = 16 * 1024;

/** The parts of a Chat Completions stream chunk that LoreChat reads. */
interface CompletionChunk {
  choices?: { delta?: { content?: string | null }; finish_reason?: string | null }[];
  usage?: { prompt_tokens: number; completion_tokens: number } | null;
  error?: { type?: string; code?: string | null };
}

/**
 * Streams answers from OpenAI's Chat Completions API or any server that speaks it (Ollama, vLLM).
 *
 * It speaks HTTP with node:http and parses the event stream itself rather than through the
 * `openai` SDK, because this is the path every token of every answer takes: the SDK's fetch, web
 * streams and three layers of async generators took about a fifth of the server's CPU per
 * streamed token (npm run bench:chat). The body is the one the SDK would send. Retries are LoreChat's own (ResilientLlmProvider), and the waits, for
 * the response as for each token after, are bounded by the stream guard.
 */
export class OpenAiProvider extends LlmProvider {
  private readonly endpoint: URL;
  /** Keeps connections to the provider open between answers, as the SDK's fetch did. */
  private readonly agent: HttpAgent;

  constructor(private readonly settings: LlmSettings) {
    super();
    const base = (settings.baseUrl ?? OPENAI_API).replace(/\/+$/, '');
    this.endpoint = new URL(`${base}/chat/completions`);
    this.agent =
      this.endpoint.protocol === 'https:'
        ? new HttpsAgent({ keepAlive: true })
        : new HttpAgent({ keepAlive: true });
  }

  describe(): LlmDescription {
    return { provider: 'openai', model: this.settings.model };
  }

  stream(request: LlmRequest, signal: AbortSignal): AsyncIterable<LlmEvent> {
    const body = JSON.stringify({
      model: this.settings.model,
      messages: [{ role: 'system', content: request.system }, ...request.messages],
      stream: true,
      stream_options: { include_usage: true },
      // `max_tokens`, not its successor `max_completion_tokens`: every OpenAI-compatible server
      // honours it (Ollama, for one, ignores the newer name) and OpenAI still accepts it for chat
      // models. Reasoning models (o-series) reject it, but they also reject a non-default
      // temperature, so they would need a different request anyway.
      max_tokens: this.settings.maxOutputTokens,
      temperature: this.settings.temperature,
    });
    return new CompletionStream(() => this.post(body, signal), {
      signal,
      host: this.endpoint.host,
      prompt: () => [request.system, ...request.messages.map((message) => message.content)],
    });
  }

  /**
   * Sends the request; resolves with the event stream once a 2xx response starts, or rejects with
   * the failure described. Aborting `signal` destroys the request, whenever that happens.
   */
  private post(body: string, signal: AbortSignal): Promise<IncomingMessage> {
    const send = this.endpoint.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise((resolve, reject) => {
      const outgoing = send(this.endpoint, {
        method: 'POST',
        agent: this.agent,
        signal,
        headers: {
          'content-type': 'application/json',
          accept: 'text/event-stream',
          'content-length': Buffer.byteLength(body),
          // OpenAI-compatible servers such as Ollama need no key.
          ...(this.settings.apiKey && { authorization: `Bearer ${this.settings.apiKey}` }),
        },
      });
      // Kept for the request's whole life: a second error with no listener would crash the process.
      outgoing.on('error', (error) => {
        reject(
          signal.aborted
            ? error
            : new LlmError(
                'unavailable',
                `openai: could not reach ${this.endpoint.host}${describeCause(error)}`,
              ),
        );
      });
      outgoing.on('response', (response) => {
        const status = response.statusCode ?? 0;
        response.setEncoding('utf8');
        if (status >= 200 && status < 300) {
          resolve(response);
          return;
        }
        readLimited(response, ERROR_BODY_LIMIT).then(
          (text) => reject(this.apiError(status, response.headers, text)),
          () => reject(this.apiError(status, response.headers, '')),
        );
      });
      outgoing.end(body);
    });
  }

  /**
   * A refusal described by its status and the error's type and code only: the message can echo
   * part of the API key (OpenAI's 401 does).
   */
  private apiError(status: number, headers: IncomingHttpHeaders, text: string): LlmError {
    const { error } = parseJson<CompletionChunk>(text) ?? {};
    const detail = [error?.type, error?.code].filter(Boolean).join('/');
    return new LlmError(
      failureForStatus(status),
      `openai: API returned ${status}${detail ? ` (${detail})` : ''}`,
      status,
      providerRetryAfterMs({ get: (name) => headerValue(headers[name]) }),
    );
  }
}

interface StreamContext {
  signal: AbortSignal;
  /** The server's host, for messages. */
  host: string;
  /** The prompt's texts, for a usage estimate when the server reports none. */
  prompt: () => string[];
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * One answer's events, parsed from the response as its pieces arrive: tokens, then the usage.
 *
 * A hand-written iterator rather than an async generator over the response's own async iterator:
 * every token is one piece of the response, and that iterator's `readable` event, read, promise
 * and tick per piece, plus the generator's own promises, took a tenth of the server's CPU per
 * token (bench:chat profile). Here the pieces are parsed in the response's `data` listener, an
 * event already parsed is handed out at once, and a wait costs one promise. A consumer that falls
 * behind pauses the response.
 */
class CompletionStream implements AsyncIterableIterator<LlmEvent> {
  private response?: IncomingMessage;
  private starting?: Promise<void>;
  private readonly parser = new SseParser();
  private readonly queue: LlmEvent[] = [];
  private head = 0;
  private events = 0;
  private finished = false;
  private reported?: Usage;
  private answer = '';
  /** The response ended, and the closing usage (if any) is queued. */
  private ended = false;
  private failure?: Error;
  private closed = false;
  private waiting?: {
    resolve: (result: IteratorResult<LlmEvent>) => void;
    reject: (error: unknown) => void;
  };
  private readonly onData = (text: string) => {
    try {
      for (const event of this.parser.push(text)) this.take(event.event, event.data);
    } catch (error) {
      this.fail(error);
      return;
    }
    if (this.queue.length - this.head > 64) this.response?.pause();
    this.deliver();
  };
  private readonly onEnd = () => this.end();
  private readonly onError = (error: Error) => this.fail(error);
  private readonly onClose = () => {
    if (!this.ended) this.fail(new Error('the response closed before its end'));
  };

  constructor(
    private readonly send: () => Promise<IncomingMessage>,
    private readonly context: StreamContext,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<LlmEvent>> {
    if (!this.response) {
      // The request goes out on the first call, as a generator's body would run.
      this.starting ??= this.send().then((response) => this.listen(response));
      return this.starting.then(() => this.next());
    }
    if (this.head < this.queue.length) return Promise.resolve(this.shift());
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.ended || this.closed) return Promise.resolve(DONE);
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  /** The caller stopped reading: a response not read to its end is destroyed. */
  return(): Promise<IteratorResult<LlmEvent>> {
    this.close();
    return Promise.resolve(DONE);
  }

  private listen(response: IncomingMessage): void {
    this.response = response;
    response.on('data', this.onData);
    response.on('end', this.onEnd);
    response.on('error', this.onError);
    response.on('close', this.onClose);
  }

  private take(name: string | undefined, data: string): void {
    this.events += 1;
    // After [DONE] the server only closes the response; reading on to its end lets the
    // connection go back to the pool for the next answer.
    if (data === '[DONE]' || this.reported) return;
    const chunk = parseJson<CompletionChunk>(data);
    if (!chunk) throw new LlmError('unavailable', 'openai: the stream sent data that is not JSON');
    if (name === 'error' || chunk.error) {
      // An error inside an otherwise successful stream (an overloaded server, say).
      throw new LlmError(
        'unavailable',
        `openai: the stream reported an error (${chunk.error?.type ?? 'no type'})`,
      );
    }
    const choice = chunk.choices?.[0];
    const token = choice?.delta?.content;
    if (token) {
      this.answer += token;
      this.queue.push({ type: 'token', text: token });
    }
    if (choice?.finish_reason) this.finished = true;
    if (chunk.usage) {
      this.reported = {
        inputTokens: chunk.usage.prompt_tokens,
        outputTokens: chunk.usage.completion_tokens,
      };
    }
  }

  private end(): void {
    if (this.ended || this.failure !== undefined) return;
    if (this.events === 0) {
      // A server that ignored `stream: true` and sent one JSON answer, or an HTML page from a
      // proxy: nothing to show the visitor, and "cut off" would send the operator looking for
      // a network fault.
      const type = this.response?.headers['content-type'] ?? 'no content type';
      this.fail(
        new LlmError(
          'unavailable',
          `openai: ${this.context.host} answered without an event stream (${type})`,
        ),
      );
      return;
    }
    this.ended = true;
    if (this.reported) {
      this.queue.push({ type: 'usage', usage: this.reported });
    } else if (this.finished) {
      // The server completed the answer but, like some compatible servers, ignored include_usage.
      // The estimate is about four characters per token, enough for cost metrics.
      this.queue.push({
        type: 'usage',
        usage: {
          inputTokens: estimateTokens(this.context.prompt().join('')),
          outputTokens: estimateTokens(this.answer),
        },
      });
    }
    // Neither: the stream was cut off. No usage lets the guard report it as interrupted.
    this.deliver();
  }

  /** Ends the stream with `error`, after the events already parsed. */
  private fail(error: unknown): void {
    if (this.failure !== undefined || this.ended) return;
    this.failure =
      (this.context.signal.aborted && error instanceof Error) || error instanceof LlmError
        ? error
        : new LlmError(
            'interrupted',
            `openai: the stream broke off mid-answer${describeCause(error)}`,
          );
    this.close();
    this.deliver();
  }

  private shift(): IteratorResult<LlmEvent> {
    const value = this.queue[this.head]!;
    this.head += 1;
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
      if (this.response?.isPaused() && !this.closed) this.response.resume();
    }
    return { done: false, value };
  }

  /** Hands the caller waiting (if any) the next event, the failure or the end. */
  private deliver(): void {
    const waiting = this.waiting;
    if (!waiting) return;
    if (this.head < this.queue.length) {
      this.waiting = undefined;
      waiting.resolve(this.shift());
    } else if (this.failure !== undefined) {
      this.waiting = undefined;
      waiting.reject(this.failure);
    } else if (this.ended) {
      this.waiting = undefined;
      waiting.resolve(DONE);
    }
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    const response = this.response;
    if (!response) return;
    response.off('data', this.onData);
    response.off('end', this.onEnd);
    response.off('close', this.onClose);
    // The error listener stays: an error after this point must not find none and crash.
    if (!this.ended) response.destroy();
  }
}

function parseJson<T>(text: string): T | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

function headerValue(value: string | string[] | undefined): string | null {
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/** The response's text up to `limit` characters; the connection is dropped if there is more. */
async function readLimited(response: IncomingMessage, limit: number): Promise<string> {
  let text = '';
  for await (const piece of response as AsyncIterable<string>) {
    text += piece;
    if (text.length >= limit) {
      response.destroy();
      break;
    }
  }
  return text.slice(0, limit);
}
