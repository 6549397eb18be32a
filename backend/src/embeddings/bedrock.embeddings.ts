import { type BedrockRuntimeClient, InvokeModelCommand } from '@aws-sdk/client-bedrock-runtime';
import { type BedrockClientOverrides, createBedrockClient } from '../aws/bedrock-client';
import { type EmbeddingSettings } from '../config/app-config';
import { EmbeddingProvider } from './embedding-provider';
import { unitNormalise, zeroVector } from './vector-math';

/** The sizes Titan Text Embeddings v2 can return; it rejects any other `dimensions`. */
const TITAN_V2_DIMENSIONS = [256, 512, 1024];
const TITAN_V2_DEFAULT_DIMENSIONS = 1024;

/**
 * InvokeModel embeds one text per call, so calls run side by side, but only this many at once:
 * enough to hide the round trip, few enough to stay under the account's requests-per-minute
 * quota during a large ingest.
 */
const CONCURRENCY = 4;

/** Exceptions whose message can carry signing details (canonical request, session token). */
const AUTH_EXCEPTIONS = new Set([
  'AccessDeniedException',
  'UnrecognizedClientException',
  'ExpiredTokenException',
  'InvalidSignatureException',
  'CredentialsProviderError',
]);

interface TitanResponse {
  embedding?: unknown;
}

/**
 * Embeds with Amazon Titan Text Embeddings v2 on Bedrock. Credentials come from the AWS default
 * chain (the ECS task role in production). The SDK retries throttling and 5xx answers with
 * backoff, making up to `maxRetries` + 1 attempts per text.
 */
export class BedrockEmbeddings extends EmbeddingProvider {
  readonly dimensions: number;
  readonly id: string;
  private readonly client: BedrockRuntimeClient;

  constructor(
    private readonly settings: EmbeddingSettings,
    overrides: BedrockClientOverrides = {},
  ) {
    super();
    if (!settings.model.includes('amazon.titan-embed-text-v2')) {
      throw new Error(
        `EMBEDDING_MODEL=${settings.model}: EMBEDDING_PROVIDER=bedrock speaks Titan Text ` +
          'Embeddings v2 only (amazon.titan-embed-text-v2:0)',
      );
    }
    this.dimensions = settings.dimensions ?? TITAN_V2_DEFAULT_DIMENSIONS;
    if (!TITAN_V2_DIMENSIONS.includes(this.dimensions)) {
      throw new Error(
        `EMBEDDING_DIMENSIONS=${this.dimensions}: Titan Text Embeddings v2 returns ` +
          `${TITAN_V2_DIMENSIONS.join(', ')} dimensions only`,
      );
    }
    this.id = `bedrock:${settings.model}@${this.dimensions}`;
    this.client = createBedrockClient(settings, overrides);
  }

  async embed(texts: string[], _purpose: 'query' | 'document'): Promise<number[][]> {
    const vectors = new Array<number[]>(texts.length);
    let next = 0;
    let failure: { error: unknown } | undefined;
    // Each worker takes the next text until none is left or one has failed; the call settles
    // only when every worker has, so nothing is still running once it has failed.
    const worker = async () => {
      while (!failure && next < texts.length) {
        const index = next++;
        try {
          vectors[index] = await this.embedOne(texts[index] as string);
        } catch (error) {
          failure ??= { error };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, texts.length) }, worker));
    if (failure) throw failure.error;
    return vectors;
  }

  private async embedOne(text: string): Promise<number[]> {
    // Titan rejects an empty inputText, and an empty text has no meaning to embed.
    if (text === '') return zeroVector(this.dimensions);
    let body: string;
    try {
      const response = await this.client.send(
        new InvokeModelCommand({
          modelId: this.settings.model,
          contentType: 'application/json',
          accept: 'application/json',
          body: JSON.stringify({ inputText: text, dimensions: this.dimensions, normalize: true }),
        }),
      );
      body = response.body.transformToString();
    } catch (error) {
      throw toError(error);
    }
    const { embedding } = JSON.parse(body) as TitanResponse;
    if (
      !Array.isArray(embedding) ||
      embedding.length !== this.dimensions ||
      !embedding.every((value) => typeof value === 'number')
    ) {
      throw new Error(
        `bedrock embeddings: ${this.settings.model} did not return a ${this.dimensions}-number embedding`,
      );
    }
    // Titan normalises on request (normalize: true); this only absorbs its rounding.
    return unitNormalise(embedding);
  }
}

interface AwsErrorFields {
  name?: unknown;
  message?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** Names the exception and status; auth failures keep their text out of the logs. */
function toError(error: unknown): Error {
  const { name, message, $metadata } = (error ?? {}) as AwsErrorFields;
  const errorName = typeof name === 'string' ? name : 'UnknownError';
  const status = $metadata?.httpStatusCode;
  const statusText = status === undefined ? '' : ` (HTTP ${status})`;
  const detail =
    AUTH_EXCEPTIONS.has(errorName) || typeof message !== 'string' ? '' : `: ${message}`;
  return new Error(`bedrock embeddings: ${errorName}${statusText}${detail}`);
}
