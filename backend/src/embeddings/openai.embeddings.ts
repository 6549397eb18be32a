import OpenAI from 'openai';
import { type EmbeddingSettings } from '../config/app-config';
import { describeCause } from '../common/error-cause';
import { EmbeddingProvider } from './embedding-provider';
import { unitNormalise, zeroVector } from './vector-math';

/** Vector sizes of OpenAI's own models, used when EMBEDDING_DIMENSIONS is not set. */
const NATIVE_DIMENSIONS: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

/** Only the v3 models accept `dimensions` (they can shorten their vectors); ada-002 rejects it. */
const SHORTENABLE = new Set(['text-embedding-3-small', 'text-embedding-3-large']);

/**
 * Embeds with OpenAI's embeddings API or any server that speaks it (Ollama, vLLM, LiteLLM).
 * Texts go in batches of EMBEDDING_BATCH_SIZE, one request at a time: an ingest is not in a hurry
 * and sequential batches stay clear of the rate limit that parallel ones would hit. The SDK
 * retries 429 and 5xx answers itself, with backoff that honours `retry-after`.
 */
export class OpenAiEmbeddings extends EmbeddingProvider {
  readonly dimensions: number;
  readonly id: string;
  private readonly client: OpenAI;
  /**
   * Sent only to shorten a v3 model's vectors. For other models EMBEDDING_DIMENSIONS only declares
   * their size: ada-002 and many compatible servers reject the parameter.
   */
  private readonly requestedDimensions?: number;

  constructor(private readonly settings: EmbeddingSettings) {
    super();
    const { model } = settings;
    const native = NATIVE_DIMENSIONS[model];
    const dimensions = settings.dimensions ?? native;
    if (dimensions === undefined) {
      throw new Error(
        `EMBEDDING_MODEL=${model} is not an OpenAI model of known size: ` +
          'set EMBEDDING_DIMENSIONS to the length of its vectors',
      );
    }
    if (native !== undefined && dimensions !== native) {
      if (!SHORTENABLE.has(model)) {
        throw new Error(
          `EMBEDDING_DIMENSIONS=${dimensions}: ${model} always returns ${native} dimensions; ` +
            'unset EMBEDDING_DIMENSIONS or use a text-embedding-3 model',
        );
      }
      if (dimensions > native) {
        throw new Error(
          `EMBEDDING_DIMENSIONS=${dimensions}: ${model} returns at most ${native} dimensions`,
        );
      }
    }
    this.requestedDimensions =
      SHORTENABLE.has(model) && dimensions !== native ? dimensions : undefined;
    this.dimensions = dimensions;
    this.id = `openai:${model}@${dimensions}`;
    this.client = new OpenAI({
      // Compatible servers need no key, but the SDK refuses to start without one.
      apiKey: settings.apiKey ?? 'not-needed',
      // null, not undefined: undefined would make the SDK read OPENAI_BASE_URL, and the app's
      // configuration is the one place settings come from.
      baseURL: settings.baseUrl ?? null,
      maxRetries: settings.maxRetries,
      timeout: settings.timeoutMs,
    });
  }

  async embed(texts: string[], _purpose: 'query' | 'document'): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let start = 0; start < texts.length; start += this.settings.batchSize) {
      vectors.push(...(await this.embedBatch(texts.slice(start, start + this.settings.batchSize))));
    }
    return vectors;
  }

  private async embedBatch(batch: string[]): Promise<number[][]> {
    // The API rejects an empty input with a 400, and an empty text has no meaning to embed.
    const sent = batch.filter((text) => text !== '');
    const received = sent.length === 0 ? [] : await this.request(sent);
    let next = 0;
    return batch.map((text) =>
      text === '' ? zeroVector(this.dimensions) : (received[next++] as number[]),
    );
  }

  private async request(input: string[]): Promise<number[][]> {
    let response: OpenAI.CreateEmbeddingResponse;
    try {
      response = await this.client.embeddings.create({
        model: this.settings.model,
        input,
        ...(this.requestedDimensions === undefined ? {} : { dimensions: this.requestedDimensions }),
        // Explicit, or the SDK asks for base64, which not every compatible server supports.
        encoding_format: 'float',
      });
    } catch (error) {
      throw this.toError(error);
    }
    if (response.data.length !== input.length) {
      throw new Error(
        `openai embeddings: ${this.host()} returned ${response.data.length} vectors for ${input.length} texts`,
      );
    }
    // Each vector carries its input's index; the order of the list itself is not promised.
    const ordered = [...response.data].sort((a, b) => a.index - b.index);
    return ordered.map(({ embedding }) => {
      if (embedding.length !== this.dimensions) {
        throw new Error(
          `openai embeddings: ${this.settings.model} at ${this.host()} returned ` +
            `${embedding.length}-dimensional vectors, expected ${this.dimensions}: ` +
            `set EMBEDDING_DIMENSIONS=${embedding.length} (and re-index) or use a model that honours it`,
        );
      }
      // OpenAI's vectors are unit length already; compatible servers' are not always.
      return unitNormalise(embedding);
    });
  }

  /**
   * Describes a failure without the SDK's message, which can echo part of the API key (OpenAI's
   * 401 does), and without the SDK error as `cause`, for the same reason.
   */
  private toError(error: unknown): Error {
    if (error instanceof OpenAI.APIConnectionTimeoutError) {
      return new Error(`openai embeddings: no response from ${this.host()} in time`);
    }
    if (error instanceof OpenAI.APIConnectionError) {
      return new Error(
        `openai embeddings: could not reach ${this.host()}${describeCause(error.cause)}`,
      );
    }
    if (error instanceof OpenAI.APIError && typeof error.status === 'number') {
      const detail = [error.type, error.code].filter(Boolean).join('/');
      const hint = error.status === 401 ? ': check OPENAI_API_KEY' : '';
      return new Error(
        `openai embeddings: API returned ${error.status}${detail ? ` (${detail})` : ''}${hint}`,
      );
    }
    return new Error(`openai embeddings: the request failed${describeCause(error)}`);
  }

  private host(): string {
    return new URL(this.client.baseURL).host;
  }
}
