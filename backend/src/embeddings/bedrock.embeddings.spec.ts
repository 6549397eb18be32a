// Runs the real BedrockRuntimeClient against test/fakes/bedrock-server.ts: a local HTTP server
// speaking Bedrock's InvokeModel wire format for Titan Text Embeddings v2 (POST
// /model/{modelId}/invoke with a JSON body, a JSON `{ embedding, inputTextTokenCount }` answer,
// REST-JSON errors typed by `x-amzn-errortype`), which the SDK signs, sends, parses and retries.
import { FakeBedrockServer } from '../../test/fakes/bedrock-server';
import { fakeEmbedding } from '../../test/fakes/openai-server';
import { type EmbeddingSettings } from '../config/app-config';
import { BedrockEmbeddings } from './bedrock.embeddings';

// Static test credentials passed through the client config, so the default chain (env, profile
// files, instance metadata) is never consulted and the environment stays untouched.
const credentials = {
  accessKeyId: 'AKIALORECHATTEST0001',
  secretAccessKey: 'lorechat-test-secret-key-never-logged',
};

const MODEL = 'amazon.titan-embed-text-v2:0';
const throttled = {
  httpError: { status: 429, type: 'ThrottlingException', message: 'Too many requests' },
};

let server: FakeBedrockServer;
beforeEach(async () => {
  server = await FakeBedrockServer.start();
});
afterEach(() => server.close());

function bedrock(settings: Partial<EmbeddingSettings> = {}): BedrockEmbeddings {
  return new BedrockEmbeddings(
    {
      provider: 'bedrock',
      model: MODEL,
      baseUrl: server.url,
      region: 'eu-west-1',
      batchSize: 64,
      maxRetries: 0,
      timeoutMs: 2000,
      ...settings,
    },
    { credentials },
  );
}

const rounded = (vector: number[]) => vector.map((value) => Number(value.toFixed(6)));

describe('BedrockEmbeddings', () => {
  it('invokes Titan v2 once per text with its JSON body, and keeps the texts in order', async () => {
    const texts = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta'];

    const vectors = await bedrock().embed(texts, 'document');

    expect(server.requests).toHaveLength(texts.length);
    for (const request of server.requests) {
      expect(request.method).toBe('POST');
      expect(request.path).toBe('/model/amazon.titan-embed-text-v2%3A0/invoke');
      expect(request.modelId).toBe(MODEL);
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIA/);
    }
    expect(server.requests.map(({ body }) => body)).toEqual(
      expect.arrayContaining(
        texts.map((inputText) => ({ inputText, dimensions: 1024, normalize: true })),
      ),
    );
    expect(vectors.map(rounded)).toEqual(texts.map((text) => rounded(fakeEmbedding(text, 1024))));
  });

  it('defaults to 1024 dimensions and asks for the configured size', async () => {
    expect(bedrock().dimensions).toBe(1024);
    expect(bedrock().id).toBe(`bedrock:${MODEL}@1024`);
    const embeddings = bedrock({ dimensions: 256 });

    const [vector] = await embeddings.embed(['hello'], 'query');

    expect(server.requests[0]?.body).toEqual({
      inputText: 'hello',
      dimensions: 256,
      normalize: true,
    });
    expect(vector).toHaveLength(256);
    expect(embeddings.id).toBe(`bedrock:${MODEL}@256`);
  });

  it('rejects a size Titan v2 cannot return, and a model it does not speak', () => {
    expect(() => bedrock({ dimensions: 768 })).toThrow(
      'EMBEDDING_DIMENSIONS=768: Titan Text Embeddings v2 returns 256, 512, 1024 dimensions only',
    );
    expect(() => bedrock({ model: 'cohere.embed-english-v3' })).toThrow(
      'EMBEDDING_PROVIDER=bedrock speaks Titan Text Embeddings v2 only',
    );
  });

  it('gives an empty text the zero vector without a call, which Titan would reject', async () => {
    const [empty, hello] = await bedrock({ dimensions: 512 }).embed(['', 'hello'], 'document');

    expect(server.requests).toHaveLength(1);
    expect(empty).toEqual(new Array(512).fill(0));
    expect(rounded(hello ?? [])).toEqual(rounded(fakeEmbedding('hello', 512)));
  });

  it('returns no vectors and calls nothing for no texts', async () => {
    await expect(bedrock().embed([], 'document')).resolves.toEqual([]);
    expect(server.requests).toHaveLength(0);
  });

  it('reports throttling with the exception name once the retries are spent', async () => {
    server.respondWith(throttled);

    await expect(bedrock().embed(['hello'], 'document')).rejects.toThrow(
      'bedrock embeddings: ThrottlingException (HTTP 429): Too many requests',
    );
  });

  it('retries a throttled call and returns the vector', async () => {
    server.respondWith(throttled);

    const [vector] = await bedrock({ maxRetries: 1 }).embed(['hello'], 'document');

    expect(server.requests).toHaveLength(2);
    expect(rounded(vector ?? [])).toEqual(rounded(fakeEmbedding('hello', 1024)));
  });

  it('makes at most four calls at once and takes no more texts after a failure', async () => {
    server.setScript(throttled);
    const texts = Array.from({ length: 20 }, (_, i) => `text ${i}`);

    await expect(bedrock().embed(texts, 'document')).rejects.toThrow('ThrottlingException');

    expect(server.requests).toHaveLength(4);
  });

  it('keeps the text of an auth failure out of the error', async () => {
    server.respondWith({
      httpError: {
        status: 403,
        type: 'UnrecognizedClientException',
        message: 'The security token included in the request is invalid. Canonical request: …',
      },
    });

    await expect(bedrock().embed(['hello'], 'document')).rejects.toThrow(
      /^bedrock embeddings: UnrecognizedClientException \(HTTP 403\)$/,
    );
  });

  it('passes on what Titan says about a body it rejects', async () => {
    const tooLong = 'word '.repeat(10_001);

    await expect(bedrock().embed([tooLong], 'document')).rejects.toThrow(
      /^bedrock embeddings: ValidationException \(HTTP 400\): Malformed input request: #\/inputText/,
    );
  });
});
