import Anthropic from '@anthropic-ai/sdk';
import type { Usage as AnthropicUsage } from '@anthropic-ai/sdk/resources/messages';
import { type LlmSettings } from '../../config/app-config';
import { describeCause } from '../../common/error-cause';
import { failureForStatus, LlmError, type LlmFailure, providerRetryAfterMs } from '../llm-error';
import { type LlmDescription, type LlmEvent, LlmProvider, type LlmRequest } from '../llm-provider';
import { alternatingTurns } from '../turns';

/**
 * Failures named by Anthropic's error types. An `error` event inside a streaming response carries
 * a type but no HTTP status, so the type is all there is to go on.
 */
const FAILURE_FOR_ERROR_TYPE: Record<string, LlmFailure> = {
  overloaded_error: 'unavailable',
  api_error: 'unavailable',
  timeout_error: 'unavailable',
  rate_limit_error: 'rate_limit',
  authentication_error: 'auth',
  permission_error: 'auth',
  invalid_request_error: 'bad_request',
  request_too_large: 'bad_request',
};

/** Streams answers from Anthropic's Messages API. */
export class AnthropicProvider extends LlmProvider {
  private readonly client: Anthropic;

  constructor(private readonly settings: LlmSettings) {
    super();
    this.client = new Anthropic({
      apiKey: settings.apiKey,
      // undefined would make the SDK fall back to ANTHROPIC_BASE_URL; the app's configuration is
      // the one place settings come from.
      baseURL: settings.baseUrl ?? null,
      // ResilientLlmProvider retries, knowing what the SDK cannot: whether a token has reached the
      // visitor, and whether a fallback is waiting. Two policies would multiply the attempts.
      maxRetries: 0,
      // Bounds the wait for the response headers only; the stream guard bounds the silences after.
      timeout: settings.timeoutMs,
    });
  }

  describe(): LlmDescription {
    return { provider: 'anthropic', model: this.settings.model };
  }

  async *stream(request: LlmRequest, signal: AbortSignal): AsyncGenerator<LlmEvent> {
    const messages = alternatingTurns(request.messages, { endWithUser: true });
    if (messages.length === 0) {
      throw new LlmError(
        'bad_request',
        'anthropic: the conversation has no user message to answer',
      );
    }
    let streaming = false;
    let inputTokens = 0;
    let outputTokens = 0;
    let stopped = false;
    try {
      const events = await this.client.messages.create(
        {
          model: this.settings.model,
          system: request.system,
          messages,
          max_tokens: this.settings.maxOutputTokens,
          // No temperature: API version 2026-10-21, the one this SDK speaks, rejects sampling
          // parameters on every model (the SDK no longer types them), so LLM_TEMPERATURE applies
          // to the other providers only.
          stream: true,
        },
        { signal },
      );
      streaming = true;
      for await (const event of events) {
        switch (event.type) {
          case 'message_start':
            inputTokens = totalInputTokens(event.message.usage);
            break;
          case 'content_block_delta':
            if (event.delta.type === 'text_delta' && event.delta.text) {
              yield { type: 'token', text: event.delta.text };
            }
            break;
          case 'message_delta':
            // Counts in message_delta are cumulative, so the last one is the total.
            outputTokens = event.usage.output_tokens;
            break;
          case 'message_stop':
            stopped = true;
            break;
        }
      }
    } catch (error) {
      throw signal.aborted ? error : this.toLlmError(error, streaming);
    }
    // The SDK ends its stream quietly when the request is aborted; make the abort visible instead
    // of passing the truncated stream off as a complete one.
    signal.throwIfAborted();
    // Without message_stop the stream was cut off: yielding no usage lets the guard report it.
    if (stopped) yield { type: 'usage', usage: { inputTokens, outputTokens } };
  }

  /**
   * Describes a failure by status and error type only: the SDK's message repeats whatever the
   * server said, and is kept out of logs along with the SDK error itself (no `cause`).
   */
  private toLlmError(error: unknown, streaming: boolean): LlmError {
    if (error instanceof Anthropic.APIConnectionTimeoutError) {
      return new LlmError('timeout', `anthropic: no response from ${this.host()} in time`);
    }
    if (error instanceof Anthropic.APIConnectionError) {
      return new LlmError(
        'unavailable',
        `anthropic: could not reach ${this.host()}${describeCause(error.cause)}`,
      );
    }
    if (error instanceof Anthropic.APIError) {
      const type = error.type ?? 'unknown_error';
      if (typeof error.status === 'number') {
        return new LlmError(
          failureForStatus(error.status),
          `anthropic: API returned ${error.status} (${type})`,
          error.status,
          providerRetryAfterMs(error.headers as Headers | undefined),
        );
      }
      // An `error` event inside a stream that had started fine.
      return new LlmError(
        FAILURE_FOR_ERROR_TYPE[type] ?? 'unavailable',
        `anthropic: the stream reported ${type}`,
      );
    }
    if (streaming) {
      return new LlmError(
        'interrupted',
        `anthropic: the stream broke off mid-answer${describeCause(error)}`,
      );
    }
    return new LlmError('unavailable', `anthropic: the request failed${describeCause(error)}`);
  }

  private host(): string {
    return new URL(this.client.baseURL).host;
  }
}

/** Input tokens served from the prompt cache are counted apart from `input_tokens`. */
function totalInputTokens(usage: AnthropicUsage): number {
  return (
    usage.input_tokens +
    (usage.cache_creation_input_tokens ?? 0) +
    (usage.cache_read_input_tokens ?? 0)
  );
}
