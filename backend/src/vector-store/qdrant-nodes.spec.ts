/**
 * QdrantStore given several nodes, against local HTTP servers that follow Qdrant's REST API
 * (test/fakes/qdrant-server.ts; not a real Qdrant). Fakes sharing one storage stand in for the
 * nodes of one cluster: each answers for every collection, as Qdrant's nodes do, so stopping one
 * leaves the data reachable through the others, as a replication factor of 2 would.
 */
import { Logger } from '@nestjs/common';
import {
  type FakeQdrant,
  startFakeQdrant,
  startFakeQdrantCluster,
} from '../../test/fakes/qdrant-server';
import { qdrantSettings } from '../../test/support/qdrant';
import { type IndexedDocument } from './chunk';
import { QdrantStore } from './qdrant.store';

const BM25 = { k1: 1.2, b: 0.75 };
const COLLECTION = 'lorechat_test';

function page(url: string, text: string): IndexedDocument {
  const site = new URL(url).host;
  const terms = text.toLowerCase().split(/\W+/).filter(Boolean);
  return {
    url,
    site,
    title: text,
    language: 'en',
    contentHash: text,
    chunks: [
      {
        id: `${url}#0`,
        documentUrl: url,
        site,
        url,
        position: 0,
        title: text,
        headingPath: [],
        text,
        language: 'en',
        contentHash: text,
        terms,
      },
    ],
  };
}

/**
 * A stopped node refuses new connections; a connection the client kept alive to it is dropped
 * instead. Either way the node is down.
 */
const DROPPED =
  '(cannot connect \\(ECONNREFUSED\\); check QDRANT_URL and that Qdrant is running|' +
  'the connection failed \\(SocketError: other side closed\\))';

const queriesTo = (node: FakeQdrant) =>
  node.requests.filter((request) => request.path.endsWith('/points/query')).length;

describe('QdrantStore on several nodes', () => {
  let nodes: FakeQdrant[];
  let warn: jest.SpyInstance;
  let log: jest.SpyInstance;
  beforeEach(async () => {
    nodes = await startFakeQdrantCluster(2);
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    log = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(async () => {
    warn.mockRestore();
    log.mockRestore();
    await Promise.all(nodes.map((node) => node.close().catch(() => undefined)));
  });

  async function open(timeoutMs = 10_000): Promise<QdrantStore> {
    const store = new QdrantStore(
      qdrantSettings(
        nodes.map((node) => node.url),
        {
          collection: COLLECTION,
          timeoutMs,
          replication: { shardNumber: 1, replicationFactor: 2, writeConsistencyFactor: 1 },
        },
      ),
      BM25,
    );
    await store.init(0);
    await store.upsertDocument(page('https://docs.example/deploy', 'Deploy with Pulumi'));
    await store.upsertDocument(page('https://docs.example/widget', 'Embed the widget'));
    return store;
  }

  it('creates both collections with the configured shards, replicas and write consistency', async () => {
    await open();
    const creates = nodes[0]!.requests.filter(
      (request) => request.method === 'PUT' && /^\/collections\/[^/]+$/.test(request.path),
    );
    expect(creates.map((request) => [request.path, request.body])).toEqual([
      [
        `/collections/${COLLECTION}`,
        expect.objectContaining({
          shard_number: 1,
          replication_factor: 2,
          write_consistency_factor: 1,
        }),
      ],
      [
        `/collections/${COLLECTION}_meta`,
        expect.objectContaining({
          shard_number: 1,
          replication_factor: 2,
          write_consistency_factor: 1,
        }),
      ],
    ]);
    expect(warn).not.toHaveBeenCalled();
  });

  it('says at start-up when an existing collection has another layout, and leaves it be', async () => {
    const single = new QdrantStore(qdrantSettings(nodes[0]!.url, { collection: COLLECTION }), BM25);
    await single.init(0);
    await open();
    expect(warn).toHaveBeenCalledWith(
      `Qdrant collection "${COLLECTION}" at ${nodes[0]!.url}, ${nodes[1]!.url} was created with ` +
        'replication_factor 1 (QDRANT_REPLICATION_FACTOR=2): it keeps its layout; back it up and ' +
        'restore it into a new collection to change it',
    );
    expect(nodes[0]!.requests.filter((request) => request.method === 'PATCH')).toEqual([]);
  });

  it('goes on answering from another node when the one it uses stops, and reports it', async () => {
    const store = await open();
    expect(await store.degradation()).toBeUndefined();
    await nodes[0]!.close();

    const hits = await store.keywordSearch(['pulumi'], { limit: 3 });
    expect(hits.map((hit) => hit.chunk.url)).toEqual(['https://docs.example/deploy']);
    expect(queriesTo(nodes[1]!)).toBe(1);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(
        new RegExp(
          `^Qdrant node ${nodes[0]!.url} is unreachable \\(${DROPPED}\\): ` +
            `continuing on ${nodes[1]!.url}$`,
        ),
      ),
    );
    // The next requests go straight to the node that answers, without a new warning.
    await store.keywordSearch(['widget'], { limit: 3 });
    expect(queriesTo(nodes[1]!)).toBe(2);
    expect(warn).toHaveBeenCalledTimes(1);

    expect(await store.degradation()).toMatch(
      new RegExp(
        `^Qdrant node ${nodes[0]!.url} unreachable since \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z ` +
          `\\(${DROPPED}\\); 1 of 2 nodes answer$`,
      ),
    );

    // The node comes back at its address: the next probe finds it ready.
    nodes[0] = await startFakeQdrant({ storage: nodes[1]!.storage, port: nodes[0]!.port });
    expect(await store.degradation()).toBeUndefined();
    expect(log).toHaveBeenCalledWith(`Qdrant node ${nodes[0].url} answers again`);
  });

  it('goes on indexing with one node down: pages written then are found on the others', async () => {
    const store = await open();
    await nodes[0]!.close();
    await store.upsertDocument(page('https://docs.example/backup', 'Back up the index nightly'));
    expect(
      nodes[1]!.requests.filter(
        (request) => request.method === 'PUT' && request.path.endsWith('/points'),
      ).length,
    ).toBeGreaterThan(0);
    // The node comes back: it answers with what was written while it was away.
    nodes[0] = await startFakeQdrant({ storage: nodes[1]!.storage, port: nodes[0]!.port });
    const back = new QdrantStore(qdrantSettings(nodes[0].url, { collection: COLLECTION }), BM25);
    await back.init(0);
    const hits = await back.keywordSearch(['nightly'], { limit: 3 });
    expect(hits.map((hit) => hit.chunk.url)).toEqual(['https://docs.example/backup']);
    expect((await back.stats()).documents).toBe(3);
  });

  it('gives up on a node that does not answer after QDRANT_TIMEOUT_MS', async () => {
    const store = await open(300);
    nodes[0]!.setScript({ kind: 'hang' });
    const started = Date.now();
    const hits = await store.keywordSearch(['widget'], { limit: 3 });
    expect(hits.map((hit) => hit.chunk.url)).toEqual(['https://docs.example/widget']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect(await store.degradation()).toMatch(/no answer in time \(QDRANT_TIMEOUT_MS\)/);
  });

  it('does not try another node when Qdrant refuses the request itself', async () => {
    const store = await open();
    nodes[0]!.failWhen((request) => request.path.endsWith('/points/query'));
    await expect(store.keywordSearch(['widget'], { limit: 3 })).rejects.toThrow(
      `Qdrant at ${nodes[0]!.url}: keyword search failed: HTTP 500: Service internal error: ` +
        'failure injected by the test',
    );
    expect(queriesTo(nodes[1]!)).toBe(0);
    expect(await store.degradation()).toBeUndefined();
  });

  it('treats a 503 from a proxy in front of a node as that node being down', async () => {
    const store = await open();
    nodes[0]!.failWhen(() => true, 503);
    const hits = await store.keywordSearch(['widget'], { limit: 3 });
    expect(hits).toHaveLength(1);
    expect(await store.degradation()).toMatch(/HTTP 503/);
  });

  it('names every node and its failure when none answers', async () => {
    const store = await open();
    await Promise.all(nodes.map((node) => node.close()));
    const error = await store.keywordSearch(['widget'], { limit: 3 }).then(
      () => undefined,
      (reason: unknown) => reason as Error,
    );
    expect(error?.message).toMatch(
      new RegExp(
        `^Qdrant at ${nodes[0]!.url}, ${nodes[1]!.url}: keyword search failed: no node answered ` +
          `\\(${nodes[0]!.url}: ${DROPPED}; ${nodes[1]!.url}: ${DROPPED}\\)$`,
      ),
    );
  });
});
