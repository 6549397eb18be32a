import {
  type BedrockRuntimeClient,
  ConverseStreamCommand,
  type ConverseStreamOutput,
} from '@aws-sdk/client-bedrock-runtime';
import { type BedrockClientOverrides, createBedrockClient } from '../../aws/bedrock-client';
import { type LlmSettings } from '../../config/app-config';
import { LlmError, type LlmFailure, failureForStatus } from '../llm-error';
import { type LlmDescription, type LlmEvent, LlmProvider, type LlmRequest } from '../llm-provider';
import { alternatingTurns } from '../turns';

/**
 * Failures named by Bedrock's exception types. In-band exceptions arrive inside a 200 stream and
 * carry no status, so the name is all there is; for HTTP errors the name is also more precise
 * than the status (a quota error is a 400, a model still loading is a 429).
 */
const FAILURE_FOR_EXCEPTION: Record<string, LlmFailure> = {
  ThrottlingException: 'rate_limit',
  ServiceQuotaExceededException: 'rate_limit',
  ModelStreamErrorException: 'unavailable',
  ModelErrorException: 'unavailable',
  ModelNotReadyException: 'unavailable',
  ModelTimeoutException: 'unavailable',
  InternalServerException: 'unavailable',
  ServiceUnavailableException: 'unavailable',
  ValidationException: 'bad_request',
  AccessDeniedException: 'auth',
  UnrecognizedClientException: 'auth',
  ExpiredTokenException: 'auth',
  // The default credential chain found no credentials: no request was sent.
  CredentialsProviderError: 'auth',
};

/** Answers with any Bedrock chat model through the model-agnostic ConverseStream API. */
export class BedrockProvider extends LlmProvider {
  private readonly client: BedrockRuntimeClient;

  constructor(
    private readonly settings: LlmSettings,
    overrides: BedrockClientOverrides = {},
  ) {
    super();
    // ResilientLlmProvider retries, knowing what the SDK cannot: whether a token has reached the
    // visitor, and whether a fallback is waiting. Two policies would multiply the attempts.
    this.client = createBedrockClient({ ...settings, maxRetries: 0 }, overrides);
  }

  describe(): LlmDescription {
    return { provider: 'bedrock', model: this.settings.model };
  }

  async *stream(request: LlmRequest, signal: AbortSignal): AsyncGenerator<LlmEvent> {
    const command = new ConverseStreamCommand({
      modelId: this.settings.model,
      system: [{ text: request.system }],
      messages: alternatingTurns(request.messages, { endWithUser: false }).map(
        ({ role, content }) => ({ role, content: [{ text: content }] }),
      ),
      inferenceConfig: {
        maxTokens: this.settings.maxOutputTokens,
        temperature: this.settings.temperature,
      },
    });

    let events: AsyncIterable<ConverseStreamOutput> | undefined;
    try {
      // The signal also tears the response down mid-stream (the SDK destroys the request when it
      // fires): that, not ending the iteration, is what closes the connection on cancel or timeout.
      ({ stream: events } = await this.client.send(command, { abortSignal: signal }));
    } catch (error) {
      // The guard recognises its own abort; anything else failed before the answer started.
      if (signal.aborted) throw error;
      throw toLlmError(error, 'unavailable');
    }
    if (!events) throw new LlmError('unavailable', 'bedrock: the response carried no event stream');

    let sawMessageStop = false;
    let reportedUsage = false;
    try {
      for await (const event of events) {
        const text = event.contentBlockDelta?.delta?.text;
        if (text) {
          yield { type: 'token', text };
        } else if (event.messageStop) {
          sawMessageStop = true;
        } else if (event.metadata?.usage && sawMessageStop && !reportedUsage) {
          // Keep reading after this: the response is only released once fully consumed.
          reportedUsage = true;
          const { inputTokens = 0, outputTokens = 0 } = event.metadata.usage;
          yield { type: 'usage', usage: { inputTokens, outputTokens } };
        }
      }
    } catch (error) {
      if (signal.aborted) throw error;
      // An unnamed failure once the stream is flowing is a dropped connection or a truncated frame.
      throw toLlmError(error, 'interrupted');
    }
  }
}

interface AwsErrorFields {
  name?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
}

function toLlmError(error: unknown, unnamedFailure: LlmFailure): LlmError {
  const { name, message, $metadata } = (error ?? {}) as AwsErrorFields;
  const errorName = typeof name === 'string' ? name : 'UnknownError';
  const status = $metadata?.httpStatusCode;
  const failure =
    FAILURE_FOR_EXCEPTION[errorName] ??
    (errorName === 'TimeoutError' ? 'timeout' : undefined) ??
    (status === undefined ? unnamedFailure : failureForStatus(status));
  // Auth errors can echo the request's signing details (canonical request, session token), so
  // their text stays out of the logs: the exception name tells the operator what to fix.
  const detail = failure === 'auth' || typeof message !== 'string' ? '' : `: ${message}`;
  const statusText = status === undefined ? '' : ` (HTTP ${status})`;
  return new LlmError(failure, `bedrock: ${errorName}${statusText}${detail}`, status);
}
