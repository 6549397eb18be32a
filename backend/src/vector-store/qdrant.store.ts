import { Logger } from '@nestjs/common';
import { type QdrantClient, type Schemas } from '@qdrant/js-client-rest';
import { type QdrantSettings, type RetrievalSettings } from '../config/app-config';
import { type ChunkInput, type IndexedDocument, type ScoredChunk } from './chunk';
import {
  type SearchFilter,
  type SearchOptions,
  type IndexedPage,
  type StoreStats,
  VectorStore,
} from './vector-store';
import { httpStatus, layoutDifferences, QdrantNodes } from './qdrant-nodes';
import { countByIndex, DENSE, KEYWORDS, toChunk, toPoint } from './qdrant-points';

/** Points per upsert request: large enough to amortise round trips, small enough for 4 MB bodies. */
export const UPSERT_BATCH_SIZE = 128;

/** Payload fields searches filter on, with the index type that makes the filter cheap. */
const PAYLOAD_INDEXES: [field: string, schema: Schemas['PayloadSchemaType']][] = [
  ['documentUrl', 'keyword'],
  ['site', 'keyword'],
  // Stale-chunk deletion filters on a range of positions, and stats counts position 0.
  ['position', 'integer'],
];

/** The one point of the meta collection: it holds the index version counter. */
const META_POINT_ID = 1;

/** The meta collection of a chunk collection. */
export function metaCollectionOf(collection: string): string {
  return `${collection}_meta`;
}

/**
 * The VectorStore on Qdrant, for sites too large for the embedded store or servers that scale out.
 *
 * One collection holds every chunk as a point with a named dense vector `dense` (the embedding,
 * cosine distance; absent when the store runs keyword-only) and a named sparse vector `keywords`
 * whose values are BM25's term-frequency part. Qdrant multiplies in the IDF itself (`modifier:
 * idf`), from statistics it keeps current as points come and go, so keyword scores are BM25 without
 * the client ever knowing the corpus. A second, vector-less collection `<collection>_meta` holds the
 * index version counter, kept apart so it never counts as a chunk nor as a document in IDF.
 *
 * Both collections are created with the configured shard number, replication factor and write
 * consistency factor; with several node URLs the store fails over between them (see QdrantNodes).
 *
 * Writes are meant to come from one ingest process at a time: this store serialises its own writes,
 * but two processes writing at once could both bump the index version to the same number.
 */
export class QdrantStore extends VectorStore {
  private readonly logger = new Logger('QdrantStore');
  private readonly nodes: QdrantNodes;
  /** The server URLs as error messages show them: no credentials, no query string. */
  private readonly endpoint: string;
  private readonly collection: string;
  private readonly metaCollection: string;
  /** Set by `init`: the embedding size the collection holds, 0 for keyword only. */
  private dimensions: number | undefined;
  /** The tail of the write queue: each write starts when the previous one has settled. */
  private writes: Promise<unknown> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly settings: QdrantSettings,
    private readonly bm25: RetrievalSettings['bm25'],
  ) {
    super();
    this.nodes = new QdrantNodes(settings.urls, settings.apiKey, settings.timeoutMs);
    this.endpoint = this.nodes.endpoint;
    this.collection = settings.collection;
    this.metaCollection = metaCollectionOf(settings.collection);
  }

  async init(dimensions: number): Promise<void> {
    if (!Number.isInteger(dimensions) || dimensions < 0) {
      throw new Error(`embedding dimensions must be a whole number ≥ 0, got ${dimensions}`);
    }
    await this.createIfMissing(this.collection, {
      vectors: dimensions > 0 ? { [DENSE]: { size: dimensions, distance: 'Cosine' } } : {},
      sparse_vectors: { [KEYWORDS]: { modifier: 'idf' } },
    });
    // Validated even right after creating it: another process may have won the race to create it,
    // with other settings.
    const info = await this.validateCollection(dimensions);
    this.warnOfOtherLayout(this.collection, info);
    // A process that died between creating the collection and its indexes left some missing.
    for (const [field, schema] of PAYLOAD_INDEXES) {
      if (info.payload_schema[field]) continue;
      await this.call(`create the payload index on "${field}"`, (client) =>
        client.createPayloadIndex(this.collection, {
          field_name: field,
          field_schema: schema,
          wait: true,
        }),
      );
    }
    await this.createIfMissing(this.metaCollection, { vectors: {} });
    this.warnOfOtherLayout(
      this.metaCollection,
      await this.call(`read collection "${this.metaCollection}"`, (client) =>
        client.getCollection(this.metaCollection),
      ),
    );
    this.dimensions = dimensions;
  }

  /** Nodes that do not answer, after asking them again: the store then runs on fewer replicas. */
  override async degradation(): Promise<string | undefined> {
    await this.nodes.probe();
    return this.nodes.describeDown();
  }

  async raiseIndexVersion(floor: number): Promise<number> {
    this.ready();
    let raised = 0;
    await this.write(
      () => Promise.resolve(),
      (current) => (raised = Math.max(current, floor) + 1),
    );
    return raised;
  }

  /**
   * Writes in an order that keeps the damage of a crash or a failed request small and repairable:
   *
   * 1. upsert chunks 1…n-1, in batches: point ids derive from chunk ids, which derive from the URL
   *    and the position, so each overwrites the old chunk at its position;
   * 2. delete the document's points at positions ≥ n (the old version's tail, if it was longer);
   * 3. upsert chunk 0 last: it carries the document's content hash that `documentHash` reads, and
   *    counts the document in `stats`, so it is the commit mark.
   *
   * Searches during the write can see new chunks beside old ones (Qdrant has no multi-request
   * transactions), never zero chunks of a document that had some. If the write stops part-way, that
   * mix stays visible, but chunk 0 still carries the old hash (or is missing, for a new document),
   * so the next ingest sees the page as changed and rewrites it whole. An invalid document is
   * refused before anything is written.
   *
   * A document without chunks has nothing to store: its old chunks are removed and `documentHash`
   * reports it as not indexed.
   */
  async upsertDocument(document: IndexedDocument): Promise<void> {
    const dimensions = this.ready();
    this.checkDocument(document, dimensions);
    await this.write(async (version) => {
      const [commitMark, ...rest] = document.chunks.map((chunk) =>
        toPoint(chunk, document, version, this.bm25),
      );
      for (let start = 0; start < rest.length; start += UPSERT_BATCH_SIZE) {
        await this.upsertPoints(document.url, rest.slice(start, start + UPSERT_BATCH_SIZE));
      }
      await this.call(`delete stale chunks of ${document.url}`, (client) =>
        client.delete(this.collection, {
          wait: true,
          filter: {
            must: [
              matchValue('documentUrl', document.url),
              { key: 'position', range: { gte: document.chunks.length } },
            ],
          },
        }),
      );
      if (commitMark) await this.upsertPoints(document.url, [commitMark]);
    });
  }

  async deleteDocument(url: string): Promise<void> {
    this.ready();
    await this.write(async () => {
      await this.call(`delete ${url}`, (client) =>
        client.delete(this.collection, {
          wait: true,
          filter: { must: [matchValue('documentUrl', url)] },
        }),
      );
    });
  }

  async documentHash(url: string): Promise<string | undefined> {
    this.ready();
    const { points } = await this.call(`read the content hash of ${url}`, (client) =>
      client.scroll(this.collection, {
        filter: { must: [matchValue('documentUrl', url), matchValue('position', 0)] },
        limit: 1,
        with_payload: ['documentContentHash'],
      }),
    );
    const hash = points[0]?.payload?.documentContentHash;
    return typeof hash === 'string' ? hash : undefined;
  }

  async keywordSearch(terms: string[], { limit, filter }: SearchOptions): Promise<ScoredChunk[]> {
    this.ready();
    if (terms.length === 0 || limit < 1) return [];
    const counts = countByIndex(terms);
    const { points } = await this.call('keyword search', (client) =>
      client.query(this.collection, {
        query: { indices: [...counts.keys()], values: [...counts.values()] },
        using: KEYWORDS,
        limit,
        filter: toFilter(filter),
        with_payload: true,
      }),
    );
    return points.map((point) => this.toScoredChunk(point));
  }

  async denseSearch(vector: number[], { limit, filter }: SearchOptions): Promise<ScoredChunk[]> {
    const dimensions = this.ready();
    if (dimensions === 0 || limit < 1) return [];
    if (vector.length !== dimensions) {
      throw new Error(
        `dense search with a ${vector.length}-dimensional vector, but Qdrant collection ` +
          `"${this.collection}" holds ${dimensions}-dimensional embeddings`,
      );
    }
    const { points } = await this.call('dense search', (client) =>
      client.query(this.collection, {
        query: vector,
        using: DENSE,
        limit,
        filter: toFilter(filter),
        with_payload: true,
      }),
    );
    return points.map((point) => this.toScoredChunk(point));
  }

  /**
   * Chunks are an exact count of points. Documents are the points at position 0, each document's
   * commit mark (see `upsertDocument`): one count request however many documents there are, where a
   * facet over `documentUrl` would have to page through every distinct URL.
   */
  async stats(): Promise<StoreStats> {
    this.ready();
    const [chunks, documents, indexVersion] = await Promise.all([
      this.call('count chunks', (client) => client.count(this.collection, { exact: true })),
      this.call('count documents', (client) =>
        client.count(this.collection, {
          exact: true,
          filter: { must: [matchValue('position', 0)] },
        }),
      ),
      this.readIndexVersion(),
    ]);
    return { documents: documents.count, chunks: chunks.count, indexVersion };
  }

  /** Chunk 0 of each document carries its URL and title: one scroll over those, page by page. */
  async documents(): Promise<IndexedPage[]> {
    this.ready();
    const pages: IndexedPage[] = [];
    let offset: Schemas['ScrollRequest']['offset'];
    do {
      const result = await this.call('list documents', (client) =>
        client.scroll(this.collection, {
          filter: { must: [matchValue('position', 0)] },
          limit: 256,
          offset,
          with_payload: ['documentUrl', 'title'],
        }),
      );
      for (const point of result.points) {
        const { documentUrl, title } = point.payload ?? {};
        if (typeof documentUrl === 'string') {
          pages.push({ url: documentUrl, title: typeof title === 'string' ? title : documentUrl });
        }
      }
      offset = result.next_page_offset ?? undefined;
    } while (offset !== undefined);
    return pages.sort((left, right) => (left.url < right.url ? -1 : 1));
  }

  /** The REST client holds no connection that needs closing: this only refuses further calls. */
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  private ready(): number {
    if (this.closed) throw new Error('QdrantStore is closed');
    if (this.dimensions === undefined) throw new Error('QdrantStore.init() has not been called');
    return this.dimensions;
  }

  private async createIfMissing(name: string, config: Schemas['CreateCollection']): Promise<void> {
    const { exists } = await this.call(`check whether collection "${name}" exists`, (client) =>
      client.collectionExists(name),
    );
    if (exists) return;
    const { shardNumber, replicationFactor, writeConsistencyFactor } = this.settings.replication;
    await this.call(`create collection "${name}"`, async (client) => {
      try {
        await client.createCollection(name, {
          ...config,
          shard_number: shardNumber,
          replication_factor: replicationFactor,
          write_consistency_factor: writeConsistencyFactor,
        });
      } catch (error) {
        // Another process (a second server task, the ingest job) created it since the check, or
        // a first attempt on a node that then stopped answering did.
        if (httpStatus(error) !== 409) throw error;
      }
    });
  }

  /**
   * A collection keeps the layout it was created with: Qdrant cannot change its shard number, and
   * a new replication factor only applies to shards replicated afterwards. Saying so at start-up
   * is all the store can do; docs/operations.md says how to move to the new layout.
   */
  private warnOfOtherLayout(name: string, info: Schemas['CollectionInfo']): void {
    const differences = layoutDifferences(info.config.params, this.settings.replication);
    if (differences.length === 0) return;
    this.logger.warn(
      `Qdrant collection "${name}" at ${this.endpoint} was created with ${differences.join(', ')}: ` +
        'it keeps its layout; back it up and restore it into a new collection to change it',
    );
  }

  private async validateCollection(dimensions: number): Promise<Schemas['CollectionInfo']> {
    const info = await this.call(`read collection "${this.collection}"`, (client) =>
      client.getCollection(this.collection),
    );
    const { vectors, sparse_vectors: sparseVectors } = info.config.params;
    const fix =
      `Set QDRANT_COLLECTION to a new collection name, or delete collection ` +
      `"${this.collection}" and re-ingest.`;
    const foreign = (problem: string) =>
      new Error(
        `Qdrant collection "${this.collection}" at ${this.endpoint} was not created by LoreChat ` +
          `(${problem}). ${fix}`,
      );
    // A collection with one unnamed vector has its `size` at the top level.
    if (vectors && 'size' in vectors) throw foreign('it has an unnamed vector');
    const dense = vectors?.[DENSE];
    const existing = dense?.size ?? 0;
    if (existing !== dimensions) {
      throw new Error(
        `Qdrant collection "${this.collection}" at ${this.endpoint} holds ` +
          `${describeDimensions(existing)}, but the embedding provider makes ` +
          `${describeDimensions(dimensions)}. ${fix}`,
      );
    }
    if (dense && dense.distance !== 'Cosine') {
      throw foreign(`its "${DENSE}" vector uses ${dense.distance} distance, not Cosine`);
    }
    if (sparseVectors?.[KEYWORDS]?.modifier !== 'idf') {
      throw foreign(`it has no sparse vector "${KEYWORDS}" with the idf modifier`);
    }
    return info;
  }

  /** Refuses, before anything is written, a document that `upsertDocument` cannot store whole. */
  private checkDocument(document: IndexedDocument, dimensions: number): void {
    document.chunks.forEach((chunk, index) => {
      const problem = chunkProblem(chunk, index, document.url, dimensions);
      if (problem) throw new Error(`chunk ${chunk.id} of ${document.url} ${problem}`);
    });
  }

  /**
   * Runs one write after the previous ones, stamping its chunks with the next index version and
   * recording that version once the write is complete, so a cache keyed on the version never
   * outlives data written after it was read. A write that fails leaves the version unchanged.
   */
  private write(
    apply: (version: number) => Promise<void>,
    nextVersion: (current: number) => number = (current) => current + 1,
  ): Promise<void> {
    const run = this.writes.then(async () => {
      const version = nextVersion(await this.readIndexVersion());
      await apply(version);
      await this.call('record the index version', (client) =>
        client.upsert(this.metaCollection, {
          wait: true,
          points: [{ id: META_POINT_ID, vector: {}, payload: { indexVersion: version } }],
        }),
      );
    });
    this.writes = run.catch(() => undefined);
    return run;
  }

  private async readIndexVersion(): Promise<number> {
    const [meta] = await this.call('read the index version', (client) =>
      client.retrieve(this.metaCollection, { ids: [META_POINT_ID], with_payload: true }),
    );
    const version = meta?.payload?.indexVersion;
    return typeof version === 'number' ? version : 0;
  }

  private async upsertPoints(url: string, points: Schemas['PointStruct'][]): Promise<void> {
    await this.call(`upsert ${points.length} chunks of ${url}`, (client) =>
      client.upsert(this.collection, { wait: true, points }),
    );
  }

  private toScoredChunk(point: Schemas['ScoredPoint']): ScoredChunk {
    return { chunk: toChunk(point, this.collection), score: point.score };
  }

  /** One request, failing over between nodes; errors name the node and the operation. */
  private call<T>(operation: string, request: (client: QdrantClient) => Promise<T>): Promise<T> {
    return this.nodes.run(operation, request);
  }
}

function chunkProblem(
  chunk: ChunkInput,
  index: number,
  documentUrl: string,
  dimensions: number,
): string | undefined {
  // Replacement overwrites by position and deletes the tail by position.
  if (chunk.position !== index) {
    return `has position ${chunk.position} at index ${index}; positions must run 0, 1, 2…`;
  }
  if (chunk.documentUrl !== documentUrl) return `belongs to ${chunk.documentUrl}`;
  if (chunk.embedding && chunk.embedding.length !== dimensions) {
    return (
      `has a ${chunk.embedding.length}-dimensional embedding, but the store was initialised ` +
      `for ${describeDimensions(dimensions)}`
    );
  }
  return undefined;
}

function matchValue(key: string, value: string | number): Schemas['FieldCondition'] {
  return { key, match: { value } };
}

function toFilter(filter: SearchFilter | undefined): Schemas['Filter'] | undefined {
  const must: Schemas['FieldCondition'][] = [];
  if (filter?.site !== undefined) must.push(matchValue('site', filter.site));
  if (filter?.documentUrl !== undefined) must.push(matchValue('documentUrl', filter.documentUrl));
  return must.length > 0 ? { must } : undefined;
}

function describeDimensions(dimensions: number): string {
  return dimensions === 0
    ? 'no embeddings (keyword only, 0 dimensions)'
    : `${dimensions}-dimensional embeddings`;
}
