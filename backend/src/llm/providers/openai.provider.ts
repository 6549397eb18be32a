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
import { failureForStatus, LlmError, retryAfterMs } from '../llm-error';
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

  async *stream(request: LlmRequest, signal: AbortSignal): AsyncGenerator<LlmEvent> {
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
    const response = await this.post(body, signal);
    const parser = new SseParser();
    let events = 0;
    let finished = false;
    let reported: Usage | undefined;
    let answer = '';
    try {
      for await (const text of response as AsyncIterable<string>) {
        for (const event of parser.push(text)) {
          events += 1;
          // After [DONE] the server only closes the response; reading on to its end lets the
          // connection go back to the pool for the next answer.
          if (event.data === '[DONE]' || reported) continue;
          const chunk = this.parseChunk(event.event, event.data);
          const choice = chunk.choices?.[0];
          const token = choice?.delta?.content;
          if (token) {
            answer += token;
            yield { type: 'token', text: token };
          }
          if (choice?.finish_reason) finished = true;
          if (chunk.usage) {
            reported = {
              inputTokens: chunk.usage.prompt_tokens,
              outputTokens: chunk.usage.completion_tokens,
            };
          }
        }
      }
    } catch (error) {
      if (signal.aborted || error instanceof LlmError) throw error;
      throw new LlmError(
        'interrupted',
        `openai: the stream broke off mid-answer${describeCause(error)}`,
      );
    }

    if (events === 0) {
      // A server that ignored `stream: true` and sent one JSON answer, or an HTML page from a
      // proxy: nothing to show the visitor, and "cut off" would send the operator looking for
      // a network fault.
      const type = response.headers['content-type'] ?? 'no content type';
      throw new LlmError(
        'unavailable',
        `openai: ${this.endpoint.host} answered without an event stream (${type})`,
      );
    }
    if (reported) {
      yield { type: 'usage', usage: reported };
    } else if (finished) {
      // The server completed the answer but, like some compatible servers, ignored include_usage.
      // The estimate is about four characters per token, enough for cost metrics.
      const prompt = [request.system, ...request.messages.map((message) => message.content)];
      yield {
        type: 'usage',
        usage: {
          inputTokens: estimateTokens(prompt.join('')),
          outputTokens: estimateTokens(answer),
        },
      };
    }
    // Neither: the stream was cut off. Yielding no usage lets the guard report it as interrupted.
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
      retryAfterMs({ get: (name) => headerValue(headers[name]) }),
    );
  }

  private parseChunk(event: string | undefined, data: string): CompletionChunk {
    const chunk = parseJson<CompletionChunk>(data);
    if (!chunk) {
      throw new LlmError('unavailable', 'openai: the stream sent data that is not JSON');
    }
    if (event === 'error' || chunk.error) {
      // An error inside an otherwise successful stream (an overloaded server, say).
      throw new LlmError(
        'unavailable',
        `openai: the stream reported an error (${chunk.error?.type ?? 'no type'})`,
      );
    }
    return chunk;
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
