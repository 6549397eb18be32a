/**
 * The rerank providers against local servers speaking the real wire protocols (Cohere's
 * `POST /v2/rerank`; Bedrock's `POST /rerank`, SigV4-signed by the AWS SDK):
 * test/fakes/rerank-server.ts.
 */
import { FakeRerankServer } from '../../../test/fakes/rerank-server';
import { type Chunk, type ScoredChunk } from '../../vector-store/chunk';
import { type RetrieveOptions, Retriever } from '../retriever';
import { BedrockReranker } from './bedrock.reranker';
import { CohereReranker } from './cohere.reranker';
import { RerankError } from './reranker';
import { type RerankReport, RerankingRetriever } from './reranking-retriever';

// Static test credentials, so the SDK signs without looking for real ones.
const credentials = { accessKeyId: 'AKIDTESTRERANK', secretAccessKey: 'test-secret-rerank' };
const API_KEY = 'co-test-rerank-key-0123456789';
const documents = [
  'Parking at the marina costs $8 per day.',
  'The Sunset Paddle costs $72 for adults.',
  'Gift cards never expire.',
];
const never = new AbortController().signal;

describe('CohereReranker (local server speaking the Cohere rerank API)', () => {
  let server: FakeRerankServer;
  beforeAll(async () => {
    server = await FakeRerankServer.start('cohere');
  });
  afterAll(() => server.close());
  const reranker = () =>
    new CohereReranker({ apiKey: API_KEY, model: 'rerank-v3.5', baseUrl: server.url });

  it('sends the query and documents and returns them best first, with the billed units', async () => {
    const result = await reranker().rerank('sunset paddle cost', documents, 2, never);
    expect(result).toEqual({
      items: [
        { index: 1, score: expect.any(Number) },
        { index: 0, score: expect.any(Number) },
      ],
      billedUnits: 1,
    });
    const request = server.requests.at(-1);
    expect(request?.path).toBe('/v2/rerank');
    expect(request?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(request?.body).toEqual({
      model: 'rerank-v3.5',
      query: 'sunset paddle cost',
      documents,
      top_n: 2,
    });
  });

  it('reports a refusal by its status, without the key', async () => {
    server.setScript({ kind: 'error', status: 429 });
    const failure = await reranker()
      .rerank('q', documents, 2, never)
      .catch((error: unknown) => error);
    server.setScript({ kind: 'rank' });
    expect(failure).toBeInstanceOf(RerankError);
    expect(failure).toMatchObject({ status: 429, message: 'cohere rerank: API returned 429' });
    expect(String((failure as Error).message)).not.toContain(API_KEY);
  });

  it('stops waiting when its deadline passes', async () => {
    server.setScript({ kind: 'hang' });
    await expect(reranker().rerank('q', documents, 2, AbortSignal.timeout(100))).rejects.toThrow();
    server.setScript({ kind: 'rank' });
  });
});

describe('BedrockReranker (local server speaking the Bedrock Rerank API)', () => {
  let server: FakeRerankServer;
  beforeAll(async () => {
    server = await FakeRerankServer.start('bedrock');
  });
  afterAll(() => server.close());
  const reranker = (model = 'amazon.rerank-v1:0') =>
    new BedrockReranker(
      { region: 'eu-central-1', model, baseUrl: server.url, timeoutMs: 2000 },
      { credentials },
    );

  it('sends a signed Rerank request naming the model ARN, and maps the results', async () => {
    const result = await reranker('cohere.rerank-v3-5:0').rerank(
      'gift cards expire',
      documents,
      1,
      never,
    );
    expect(result).toEqual({ items: [{ index: 2, score: expect.any(Number) }], billedUnits: 1 });
    const request = server.requests.at(-1);
    expect(request?.path).toBe('/rerank');
    expect(request?.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDTESTRERANK\//);
    expect(request?.body).toEqual({
      queries: [{ type: 'TEXT', textQuery: { text: 'gift cards expire' } }],
      sources: documents.map((text) => ({
        type: 'INLINE',
        inlineDocumentSource: { type: 'TEXT', textDocument: { text } },
      })),
      rerankingConfiguration: {
        type: 'BEDROCK_RERANKING_MODEL',
        bedrockRerankingConfiguration: {
          numberOfResults: 1,
          modelConfiguration: {
            modelArn: 'arn:aws:bedrock:eu-central-1::foundation-model/cohere.rerank-v3-5:0',
          },
        },
      },
    });
  });

  it('bills one unit per 100 documents', async () => {
    const many = Array.from({ length: 150 }, (_, index) => `document ${index}`);
    expect((await reranker().rerank('document', many, 5, never)).billedUnits).toBe(2);
  });

  it('reports an AWS error by its status', async () => {
    server.setScript({ kind: 'error', status: 500 });
    const failure = await reranker()
      .rerank('q', documents, 2, never)
      .catch((error: unknown) => error);
    server.setScript({ kind: 'rank' });
    expect(failure).toBeInstanceOf(RerankError);
    expect(failure).toMatchObject({ status: 500 });
  });
});

/** Candidates in a fixed fused order: what the hybrid retriever would have returned. */
class FusedCandidates extends Retriever {
  asked?: RetrieveOptions;
  constructor(private readonly texts: string[]) {
    super();
  }
  retrieve(_query: string, options: RetrieveOptions): Promise<ScoredChunk[]> {
    this.asked = options;
    return Promise.resolve(
      this.texts.slice(0, options.limit).map((text, index) => ({
        score: 1 / (index + 1),
        chunk: { id: `c${index}`, title: 'Page', headingPath: [], text } as unknown as Chunk,
      })),
    );
  }
}

describe('RerankingRetriever', () => {
  let server: FakeRerankServer;
  beforeAll(async () => {
    server = await FakeRerankServer.start('cohere');
  });
  afterAll(() => server.close());

  const setUp = (price?: number) => {
    const reports: RerankReport[] = [];
    const inner = new FusedCandidates(documents);
    const retriever = new RerankingRetriever(
      inner,
      new CohereReranker({ apiKey: API_KEY, model: 'rerank-v3.5', baseUrl: server.url }),
      { candidates: 20, timeoutMs: 300, pricePerThousandUnits: price },
      (report) => reports.push(report),
    );
    return { inner, retriever, reports };
  };

  it('asks for more candidates than it returns, and returns them in the reranked order', async () => {
    const { inner, retriever, reports } = setUp(2);
    const hits = await retriever.retrieve('gift cards', { limit: 2 });
    expect(inner.asked?.limit).toBe(20);
    expect(hits.map(({ chunk }) => chunk.id)).toEqual(['c2', 'c0']);
    expect(reports).toEqual([{ latencyMs: expect.any(Number), costUsd: 0.002, failed: false }]);
  });

  it('keeps the fused order when the reranker fails or is too slow, and counts it', async () => {
    const { retriever, reports } = setUp();
    server.setScript({ kind: 'error', status: 503 });
    expect(
      (await retriever.retrieve('gift cards', { limit: 2 })).map(({ chunk }) => chunk.id),
    ).toEqual(['c0', 'c1']);
    server.setScript({ kind: 'hang' });
    const started = Date.now();
    await retriever.retrieve('gift cards', { limit: 2 });
    expect(Date.now() - started).toBeLessThan(2000);
    server.setScript({ kind: 'rank' });
    expect(reports.map((report) => report.failed)).toEqual([true, true]);
    expect(reports[0]?.costUsd).toBeUndefined();
  });
});
