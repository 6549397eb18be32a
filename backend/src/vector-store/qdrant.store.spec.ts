/**
 * QdrantStore against a local HTTP server that follows Qdrant's REST API for the calls the store
 * makes (test/fakes/qdrant-server.ts; not a real Qdrant, not a mock of the client), then the same
 * contract suite against a real Qdrant when QDRANT_CONTRACT_URL is set: the `qdrant-contract` job
 * of .github/workflows/ci.yml sets it to a `qdrant/qdrant` service container.
 */
import { randomUUID } from 'node:crypto';
import { QdrantClient } from '@qdrant/js-client-rest';
import {
  type FakeQdrant,
  type FakeQdrantRequest,
  startFakeQdrant,
} from '../../test/fakes/qdrant-server';
import { describeVectorStoreContract } from '../../test/vector-store.contract';
import { type ChunkInput, type IndexedDocument } from './chunk';
import { qdrantSettings } from '../../test/support/qdrant';
import { QdrantStore, UPSERT_BATCH_SIZE } from './qdrant.store';
import { pointId, termIndex } from './qdrant-points';

const BM25 = { k1: 1.2, b: 0.75 };
const COLLECTION = 'lorechat_test';

function page(url: string, count: number, contentHash = 'hash-1'): IndexedDocument {
  const site = new URL(url).host;
  return {
    url,
    site,
    title: 'Page',
    language: 'en',
    contentHash,
    chunks: Array.from({ length: count }, (_, position): ChunkInput => ({
      id: `${url}#${position}`,
      documentUrl: url,
      site,
      url: `${url}#s${position}`,
      position,
      title: 'Page',
      headingPath: [],
      text: `chunk ${position}`,
      language: 'en',
      contentHash: `c${position}`,
      terms: ['chunk', `n${position}`],
      embedding: [1, position, 0, 0],
    })),
  };
}

/** The writes to the chunk collection, in order, as "upsert <positions>" or "delete <request body>". */
function writes(qdrant: FakeQdrant): string[] {
  return qdrant.requests
    .filter((request) => request.path.startsWith(`/collections/${COLLECTION}/points`))
    .flatMap((request): string[] => {
      if (request.method === 'PUT') {
        const { points } = request.body as { points: { payload: { position: number } }[] };
        return [`upsert ${points.map((point) => point.payload.position).join(',')}`];
      }
      if (request.path.endsWith('/delete')) return [`delete ${JSON.stringify(request.body)}`];
      return [];
    });
}

const isUpsert = (request: FakeQdrantRequest) =>
  request.method === 'PUT' && request.path === `/collections/${COLLECTION}/points`;

async function rejection(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof Error)) throw new Error('expected the promise to reject with an Error');
  return error;
}

describeVectorStoreContract(
  'QdrantStore on a local server following Qdrant’s REST API',
  async (dimensions) => {
    const qdrant = await startFakeQdrant();
    const store = new QdrantStore(qdrantSettings(qdrant.url, { collection: COLLECTION }), BM25);
    await store.init(dimensions);
    return { store, cleanup: () => qdrant.close() };
  },
);

// No Qdrant can run on the development machines; the GitHub `qdrant-contract` job sets
// QDRANT_CONTRACT_URL to a real `qdrant/qdrant` service container and runs this file.
const realQdrant = process.env.QDRANT_CONTRACT_URL;
if (realQdrant) {
  describeVectorStoreContract(
    `QdrantStore on a real Qdrant at ${realQdrant}`,
    async (dimensions) => {
      // A collection per test, so tests neither see nor disturb each other's points.
      const collection = `lorechat_contract_${randomUUID().replaceAll('-', '')}`;
      const store = new QdrantStore(qdrantSettings(realQdrant, { collection }), BM25);
      await store.init(dimensions);
      const admin = new QdrantClient({ url: realQdrant, checkCompatibility: false });
      return {
        store,
        cleanup: async () => {
          await admin.deleteCollection(collection);
          await admin.deleteCollection(`${collection}_meta`);
        },
      };
    },
  );
}

describe('QdrantStore', () => {
  let qdrant: FakeQdrant;
  beforeEach(async () => {
    qdrant = await startFakeQdrant();
  });
  afterEach(() => qdrant.close());

  async function open(dimensions = 4, apiKey?: string): Promise<QdrantStore> {
    const store = new QdrantStore(
      qdrantSettings(qdrant.url, { apiKey, collection: COLLECTION }),
      BM25,
    );
    await store.init(dimensions);
    return store;
  }

  it('creates the collection with a cosine dense vector, an idf sparse vector and indexes', async () => {
    await open(4);
    const creates = qdrant.requests.filter((request) => request.method === 'PUT');
    expect(creates[0]).toMatchObject({
      path: `/collections/${COLLECTION}`,
      body: {
        vectors: { dense: { size: 4, distance: 'Cosine' } },
        sparse_vectors: { keywords: { modifier: 'idf' } },
      },
    });
    expect(
      creates.filter((request) => request.path.endsWith('/index')).map((request) => request.body),
    ).toEqual([
      { field_name: 'documentUrl', field_schema: 'keyword' },
      { field_name: 'site', field_schema: 'keyword' },
      { field_name: 'position', field_schema: 'integer' },
    ]);
    expect(creates.map((request) => request.path)).toContain(`/collections/${COLLECTION}_meta`);

    // Opening it again creates and re-indexes nothing.
    qdrant.requests.length = 0;
    await open(4);
    expect(qdrant.requests.filter((request) => request.method !== 'GET')).toEqual([]);
  });

  it('omits the dense vector from a keyword-only collection', async () => {
    await open(0);
    const create = qdrant.requests.find((request) => request.path === `/collections/${COLLECTION}`);
    expect(create?.body).toEqual({
      vectors: {},
      sparse_vectors: { keywords: { modifier: 'idf' } },
      shard_number: 1,
      replication_factor: 1,
      write_consistency_factor: 1,
    });
  });

  it('names both sizes and the fix when the collection holds another embedding size', async () => {
    await open(4);
    const message = (await rejection(open(768))).message;
    expect(message).toBe(
      `Qdrant collection "${COLLECTION}" at ${qdrant.url} holds 4-dimensional embeddings, but ` +
        'the embedding provider makes 768-dimensional embeddings. Set QDRANT_COLLECTION to a new ' +
        `collection name, or delete collection "${COLLECTION}" and re-ingest.`,
    );
    expect((await rejection(open(0))).message).toContain(
      'holds 4-dimensional embeddings, but the embedding provider makes no embeddings ' +
        '(keyword only, 0 dimensions)',
    );
    // Never dropped or re-created.
    expect(qdrant.requests.filter((request) => request.method === 'DELETE')).toEqual([]);
    expect(
      qdrant.requests.filter(
        (request) => request.method === 'PUT' && request.path === `/collections/${COLLECTION}`,
      ),
    ).toHaveLength(1);
  });

  it('refuses a collection it did not create', async () => {
    const admin = new QdrantClient({ url: qdrant.url, checkCompatibility: false });
    await admin.createCollection(COLLECTION, {
      vectors: { dense: { size: 4, distance: 'Cosine' } },
      sparse_vectors: { keywords: {} },
    });
    expect((await rejection(open(4))).message).toMatch(
      /was not created by LoreChat \(it has no sparse vector "keywords" with the idf modifier\)/,
    );
  });

  it('reports an unreachable Qdrant with its URL and the operation, never the API key', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const gone = await startFakeQdrant();
    await gone.close();
    const store = new QdrantStore(
      qdrantSettings(gone.url, { apiKey: 'secret-api-key-123', collection: COLLECTION }),
      BM25,
    );
    const error = await rejection(store.init(4));
    expect(error.message).toBe(
      `Qdrant at ${gone.url}: check whether collection "${COLLECTION}" exists failed: ` +
        'cannot connect (ECONNREFUSED); check QDRANT_URL and that Qdrant is running',
    );
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain('secret');
    warn.mockRestore();
  });

  it('reports a 500 with its status and Qdrant’s message, never the API key', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    const store = await open(4, 'secret-api-key-123');
    qdrant.failWhen((request) => request.path.endsWith('/points/query'));
    const error = await rejection(store.keywordSearch(['chunk'], { limit: 5 }));
    expect(error.message).toBe(
      `Qdrant at ${qdrant.url}: keyword search failed: HTTP 500: Service internal error: ` +
        'failure injected by the test',
    );
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain('secret');
    warn.mockRestore();
  });

  it('sends the API key in the api-key header', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    await open(4, 'secret-api-key-123');
    expect(qdrant.requests.length).toBeGreaterThan(0);
    for (const request of qdrant.requests) {
      expect(request.headers['api-key']).toBe('secret-api-key-123');
    }
    warn.mockRestore();
  });

  it('upserts a large document in batches', async () => {
    const store = await open(4);
    await store.upsertDocument(page('https://docs.example/big', 300));
    const upserts = qdrant.requests.filter(isUpsert);
    const sizes = upserts.map((request) => (request.body as { points: unknown[] }).points.length);
    expect(sizes).toEqual([UPSERT_BATCH_SIZE, UPSERT_BATCH_SIZE, 43, 1]);
    expect(upserts.every((request) => request.query.wait === 'true')).toBe(true);
    expect(await store.stats()).toMatchObject({ documents: 1, chunks: 300 });
  });

  it('writes the new chunks, then deletes the stale tail, then commits chunk 0', async () => {
    const store = await open(4);
    await store.upsertDocument(page('https://docs.example/a', 5));
    qdrant.requests.length = 0;
    await store.upsertDocument(page('https://docs.example/a', 3, 'hash-2'));
    expect(writes(qdrant)).toEqual([
      'upsert 1,2',
      `delete ${JSON.stringify({
        filter: {
          must: [
            { key: 'documentUrl', match: { value: 'https://docs.example/a' } },
            { key: 'position', range: { gte: 3 } },
          ],
        },
      })}`,
      'upsert 0',
    ]);
    // The index version is recorded once the write is complete.
    expect(qdrant.requests.at(-1)).toMatchObject({
      method: 'PUT',
      path: `/collections/${COLLECTION}_meta/points`,
    });
  });

  it('keeps the old content hash when a write fails part-way, so the next ingest rewrites it', async () => {
    const store = await open(4);
    const url = 'https://docs.example/a';
    await store.upsertDocument(page(url, 200, 'hash-1'));
    const { indexVersion } = await store.stats();

    let upserts = 0;
    qdrant.failWhen((request) => isUpsert(request) && ++upserts === 2);
    const error = await rejection(store.upsertDocument(page(url, 150, 'hash-2')));
    expect(error.message).toBe(
      `Qdrant at ${qdrant.url}: upsert 21 chunks of ${url} failed: HTTP 500: Service internal ` +
        'error: failure injected by the test',
    );
    // Chunks 1-128 are new and the rest old (a visible mix), but chunk 0, the commit mark, is not
    // rewritten: the document still reads as its old version, and the index version is unchanged.
    expect(await store.documentHash(url)).toBe('hash-1');
    expect(await store.stats()).toEqual({ documents: 1, chunks: 200, indexVersion });

    qdrant.setScript({ kind: 'serve' });
    await store.upsertDocument(page(url, 150, 'hash-2'));
    expect(await store.documentHash(url)).toBe('hash-2');
    expect(await store.stats()).toMatchObject({ documents: 1, chunks: 150 });
  });

  it('refuses a document it could not store whole before writing anything', async () => {
    const store = await open(4);
    const wrongSize = page('https://docs.example/a', 2);
    wrongSize.chunks[1]!.embedding = [1, 2, 3];
    const before = qdrant.requests.length;
    expect((await rejection(store.upsertDocument(wrongSize))).message).toBe(
      'chunk https://docs.example/a#1 of https://docs.example/a has a 3-dimensional embedding, ' +
        'but the store was initialised for 4-dimensional embeddings',
    );
    const gap = page('https://docs.example/b', 3);
    gap.chunks.splice(1, 1);
    expect((await rejection(store.upsertDocument(gap))).message).toMatch(
      /has position 2 at index 1/,
    );
    expect(qdrant.requests.length).toBe(before);
  });

  it('stores BM25 term-frequency weights under hashed term indices, and query term counts', async () => {
    const store = await open(0);
    const document = page('https://docs.example/a', 1);
    document.chunks[0]!.terms = ['alpha', 'beta', 'alpha'];
    delete document.chunks[0]!.embedding;
    await store.upsertDocument(document);
    const upsert = qdrant.requests.find(isUpsert)?.body as {
      points: {
        id: string;
        vector: { keywords: { indices: number[]; values: number[] } };
        payload: Record<string, unknown>;
      }[];
    };
    const [point] = upsert.points;
    expect(point!.id).toBe(pointId('https://docs.example/a#0'));
    const norm = 1.2 * (1 - 0.75 + (0.75 * 3) / 150);
    expect(point!.vector).toEqual({
      keywords: {
        indices: [termIndex('alpha'), termIndex('beta')],
        values: [(2 * 2.2) / (2 + norm), 2.2 / (1 + norm)],
      },
    });
    // Every Chunk field and the document's hash; not the terms, not the embedding.
    expect(Object.keys(point!.payload).sort()).toEqual(
      [
        'contentHash',
        'documentContentHash',
        'documentUrl',
        'headingPath',
        'id',
        'indexVersion',
        'language',
        'position',
        'site',
        'text',
        'title',
        'url',
      ].sort(),
    );

    await store.keywordSearch(['beta', 'alpha', 'beta'], { limit: 3 });
    const query = qdrant.requests.find((request) => request.path.endsWith('/points/query'));
    expect(query?.body).toMatchObject({
      query: { indices: [termIndex('beta'), termIndex('alpha')], values: [2, 1] },
      using: 'keywords',
      limit: 3,
      with_payload: true,
    });
  });

  it('derives stable UUID point ids and 32-bit term indices', () => {
    expect(pointId('https://docs.example/a#0')).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(pointId('https://docs.example/a#0')).toBe(pointId('https://docs.example/a#0'));
    expect(pointId('https://docs.example/a#0')).not.toBe(pointId('https://docs.example/a#1'));
    // FNV-1a reference values.
    expect(termIndex('')).toBe(0x811c9dc5);
    expect(termIndex('a')).toBe(0xe40c292c);
    expect(termIndex('foobar')).toBe(0xbf9cf968);
    expect(termIndex('検索')).toBe(termIndex('検索'));
  });

  it('refuses calls before init and after close', async () => {
    const store = new QdrantStore(qdrantSettings(qdrant.url, { collection: COLLECTION }), BM25);
    await expect(store.keywordSearch(['a'], { limit: 1 })).rejects.toThrow(
      'init() has not been called',
    );
    await store.init(4);
    await store.close();
    await expect(store.stats()).rejects.toThrow('QdrantStore is closed');
  });
});
