// Runs the real `openai` SDK against test/fakes/openai-server.ts: a local HTTP server speaking
// OpenAI's Embeddings API wire format (POST /v1/embeddings, a JSON `list` of `embedding` objects
// with their input's `index`, OpenAI's JSON error bodies and `retry-after` headers).
import { fakeEmbedding, type FakeOpenAi, startFakeOpenAi } from '../../test/fakes/openai-server';
import { closedPortUrl } from '../../test/support/llm-stream';
import { type EmbeddingSettings } from '../config/app-config';
import { OpenAiEmbeddings } from './openai.embeddings';

const API_KEY = 'sk-test-0123456789abcdefSECRET';

let openAi: FakeOpenAi;

beforeEach(async () => {
  openAi = await startFakeOpenAi();
});

afterEach(async () => {
  await openAi.close();
});

function provider(overrides: Partial<EmbeddingSettings> = {}): OpenAiEmbeddings {
  return new OpenAiEmbeddings({
    provider: 'openai',
    model: 'text-embedding-3-small',
    baseUrl: openAi.baseUrl,
    apiKey: API_KEY,
    batchSize: 64,
    maxRetries: 0,
    timeoutMs: 2000,
    ...overrides,
  });
}

const rounded = (vector: number[]) => vector.map((value) => Number(value.toFixed(6)));

describe('OpenAiEmbeddings', () => {
  it('sends batches of batchSize, one request at a time, and keeps the texts in order', async () => {
    const texts = ['alpha', 'beta', 'gamma', 'delta', 'epsilon'];

    const vectors = await provider({ batchSize: 2 }).embed(texts, 'document');

    expect(openAi.embeddingRequests.map(({ body }) => body.input)).toEqual([
      ['alpha', 'beta'],
      ['gamma', 'delta'],
      ['epsilon'],
    ]);
    expect(vectors.map(rounded)).toEqual(texts.map((text) => rounded(fakeEmbedding(text, 1536))));
  });

  it('sends the model, the key and float encoding, and no dimensions by default', async () => {
    const embeddings = provider();

    await embeddings.embed(['hello'], 'query');

    const [received] = openAi.embeddingRequests;
    expect(received?.path).toBe('/v1/embeddings');
    expect(received?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(received?.body).toEqual({
      model: 'text-embedding-3-small',
      input: ['hello'],
      encoding_format: 'float',
    });
    expect(embeddings.dimensions).toBe(1536);
    expect(embeddings.id).toBe('openai:text-embedding-3-small@1536');
  });

  it('asks a v3 model for shorter vectors when EMBEDDING_DIMENSIONS says so', async () => {
    const embeddings = provider({ model: 'text-embedding-3-large', dimensions: 256 });

    const [vector] = await embeddings.embed(['hello'], 'document');

    expect(openAi.embeddingRequests[0]?.body.dimensions).toBe(256);
    expect(vector).toHaveLength(256);
    expect(embeddings.id).toBe('openai:text-embedding-3-large@256');
  });

  it('uses the native size of each OpenAI model', () => {
    expect(provider({ model: 'text-embedding-3-large' }).dimensions).toBe(3072);
    expect(provider({ model: 'text-embedding-ada-002' }).dimensions).toBe(1536);
  });

  it('requires EMBEDDING_DIMENSIONS for a model of unknown size, and then does not send it', async () => {
    expect(() => provider({ model: 'nomic-embed-text' })).toThrow(
      'EMBEDDING_MODEL=nomic-embed-text is not an OpenAI model of known size: set EMBEDDING_DIMENSIONS',
    );
    openAi.setEmbeddingScript({ kind: 'embeddings', dimensions: 768 });

    const [vector] = await provider({ model: 'nomic-embed-text', dimensions: 768 }).embed(
      ['hello'],
      'document',
    );

    expect(vector).toHaveLength(768);
    expect(openAi.embeddingRequests[0]?.body).not.toHaveProperty('dimensions');
  });

  it('rejects sizes the model cannot return', () => {
    expect(() => provider({ dimensions: 2048 })).toThrow(
      'EMBEDDING_DIMENSIONS=2048: text-embedding-3-small returns at most 1536 dimensions',
    );
    expect(() => provider({ model: 'text-embedding-ada-002', dimensions: 512 })).toThrow(
      'text-embedding-ada-002 always returns 1536 dimensions',
    );
  });

  it('names the fix when the server returns vectors of another size', async () => {
    openAi.setEmbeddingScript({ kind: 'embeddings', dimensions: 384 });

    await expect(provider().embed(['hello'], 'document')).rejects.toThrow(
      'returned 384-dimensional vectors, expected 1536: set EMBEDDING_DIMENSIONS=384',
    );
  });

  it('gives an empty text the zero vector without sending it, which the API would reject', async () => {
    const vectors = await provider().embed(['', 'hello', ''], 'document');

    expect(openAi.embeddingRequests.map(({ body }) => body.input)).toEqual([['hello']]);
    expect(vectors[0]?.every((value) => value === 0)).toBe(true);
    expect(rounded(vectors[1] ?? [])).toEqual(rounded(fakeEmbedding('hello', 1536)));
    expect(vectors[2]).toHaveLength(1536);
  });

  it('returns no vectors and sends nothing for no texts', async () => {
    await expect(provider().embed([], 'document')).resolves.toEqual([]);
    expect(openAi.embeddingRequests).toHaveLength(0);
  });

  it('retries a 429 that says retry-after: 0, then returns the vectors', async () => {
    openAi.setEmbeddingScript([
      { kind: 'error', status: 429, retryAfter: '0' },
      { kind: 'embeddings' },
    ]);

    const vectors = await provider({ maxRetries: 1 }).embed(['hello'], 'document');

    expect(openAi.embeddingRequests).toHaveLength(2);
    expect(rounded(vectors[0] ?? [])).toEqual(rounded(fakeEmbedding('hello', 1536)));
  });

  it('retries a 500 and fails with the status once the retries are spent', async () => {
    openAi.setEmbeddingScript({ kind: 'error', status: 500, retryAfter: '0' });

    await expect(provider({ maxRetries: 1 }).embed(['hello'], 'document')).rejects.toThrow(
      'openai embeddings: API returned 500 (server_error)',
    );
    expect(openAi.embeddingRequests).toHaveLength(2);
  });

  it('reports a 401 without the key the server echoed', async () => {
    openAi.setEmbeddingScript({ kind: 'error', status: 401 });

    const error = await provider()
      .embed(['hello'], 'document')
      .then(
        () => undefined,
        (caught: unknown) => caught as Error,
      );

    expect(error).toBeInstanceOf(Error);
    expect(error?.message).toBe(
      'openai embeddings: API returned 401 (invalid_request_error/invalid_api_key): check OPENAI_API_KEY',
    );
    expect(error?.stack).not.toContain('SECRET');
    expect(error?.cause).toBeUndefined();
  });

  it('names the host it could not reach', async () => {
    const url = await closedPortUrl();

    await expect(provider({ baseUrl: `${url}/v1` }).embed(['hello'], 'document')).rejects.toThrow(
      `openai embeddings: could not reach ${new URL(url).host} (ECONNREFUSED)`,
    );
  });

  it('leaves the chat script and record alone', async () => {
    await provider().embed(['hello'], 'document');

    expect(openAi.requests).toHaveLength(0);
  });
});
