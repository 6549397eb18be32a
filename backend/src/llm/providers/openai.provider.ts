import OpenAI from 'openai';
import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';
import { type Usage } from '../../chat/protocol';
import { type LlmSettings } from '../../config/app-config';
import {
  describeCause,
  estimateTokens,
  failureForStatus,
  LlmError,
  type LlmDescription,
  type LlmEvent,
  LlmProvider,
  type LlmRequest,
  retryAfterMs,
} from '../llm-provider';

/** Streams answers from OpenAI's Chat Completions API or any server that speaks it (Ollama, vLLM). */
export class OpenAiProvider extends LlmProvider {
  private readonly client: OpenAI;

  constructor(private readonly settings: LlmSettings) {
    super();
    this.client = new OpenAI({
      // OpenAI-compatible servers need no key, but the SDK refuses to start without one.
      apiKey: settings.apiKey ?? 'not-needed',
      // null, not undefined: undefined would make the SDK fall back to OPENAI_BASE_URL, and the
      // app's configuration is the one place settings come from.
      baseURL: settings.baseUrl ?? null,
      // ResilientLlmProvider retries, knowing what the SDK cannot: whether a token has reached the
      // visitor, and whether a fallback is waiting. Two policies would multiply the attempts.
      maxRetries: 0,
      // Bounds the wait for the response headers only; the stream guard bounds the silences after.
      timeout: settings.timeoutMs,
    });
  }

  describe(): LlmDescription {
    return { provider: 'openai', model: this.settings.model };
  }

  async *stream(request: LlmRequest, signal: AbortSignal): AsyncGenerator<LlmEvent> {
    const messages: ChatCompletionMessageParam[] = [
      { role: 'system', content: request.system },
      ...request.messages,
    ];
    let streaming = false;
    let finished = false;
    let reported: Usage | undefined;
    let answer = '';
    try {
      const chunks = await this.client.chat.completions.create(
        {
          model: this.settings.model,
          messages,
          stream: true,
          stream_options: { include_usage: true },
          // `max_tokens`, not its successor `max_completion_tokens`: every OpenAI-compatible server
          // honours it (Ollama, for one, ignores the newer name) and OpenAI still accepts it for
          // chat models. Reasoning models (o-series) reject it, but they also reject a non-default
          // temperature, so they would need a different request anyway.
          max_tokens: this.settings.maxOutputTokens,
          temperature: this.settings.temperature,
        },
        { signal },
      );
      streaming = true;
      for await (const chunk of chunks) {
        const choice = chunk.choices[0];
        const text = choice?.delta?.content;
        if (text) {
          answer += text;
          yield { type: 'token', text };
        }
        if (choice?.finish_reason) finished = true;
        if (chunk.usage) {
          reported = {
            inputTokens: chunk.usage.prompt_tokens,
            outputTokens: chunk.usage.completion_tokens,
          };
        }
      }
    } catch (error) {
      throw signal.aborted ? error : this.toLlmError(error, streaming);
    }
    // The SDK ends its stream quietly when the request is aborted; make the abort visible instead
    // of passing the truncated stream off as a complete one.
    signal.throwIfAborted();

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
   * Describes a failure without the SDK's message, which can echo part of the API key (OpenAI's
   * 401 does), and without the SDK error as `cause`, for the same reason.
   */
  private toLlmError(error: unknown, streaming: boolean): LlmError {
    if (error instanceof OpenAI.APIConnectionTimeoutError) {
      return new LlmError('timeout', `openai: no response from ${this.host()} in time`);
    }
    if (error instanceof OpenAI.APIConnectionError) {
      return new LlmError(
        'unavailable',
        `openai: could not reach ${this.host()}${describeCause(error.cause)}`,
      );
    }
    if (error instanceof OpenAI.APIError && typeof error.status === 'number') {
      const detail = [error.type, error.code].filter(Boolean).join('/');
      return new LlmError(
        failureForStatus(error.status),
        `openai: API returned ${error.status}${detail ? ` (${detail})` : ''}`,
        error.status,
        retryAfterMs(error.headers as Headers | undefined),
      );
    }
    if (error instanceof OpenAI.APIError) {
      // An error event inside an otherwise successful stream.
      return new LlmError(
        'unavailable',
        `openai: the stream reported an error (${error.type ?? 'no type'})`,
      );
    }
    if (streaming) {
      return new LlmError(
        'interrupted',
        `openai: the stream broke off mid-answer${describeCause(error)}`,
      );
    }
    return new LlmError('unavailable', `openai: the request failed${describeCause(error)}`);
  }

  private host(): string {
    return new URL(this.client.baseURL).host;
  }
}
