import { createHash } from 'node:crypto';
import { QdrantClient, QdrantClientTimeoutError, type Schemas } from '@qdrant/js-client-rest';
import { type RetrievalSettings, type VectorStoreSettings } from '../config/app-config';
import { type Chunk, type ChunkInput, type IndexedDocument, type ScoredChunk } from './chunk';
import {
  type SearchFilter,
  type SearchOptions,
  type IndexedPage,
  type StoreStats,
  VectorStore,
} from './vector-store';

export type QdrantSettings = NonNullable<VectorStoreSettings['qdrant']>;

/** Names of the two vectors every point may carry. */
const DENSE = 'dense';
const KEYWORDS = 'keywords';

/** Points per upsert request: large enough to amortise round trips, small enough for 4 MB bodies. */
export const UPSERT_BATCH_SIZE = 128;

const REQUEST_TIMEOUT_MS = 60_000;

/**
 * The chunk length, in analyzed terms, that BM25's length normalisation compares against. A
 * constant rather than the collection's running average: each point's keyword weights are computed
 * once, when it is written, so an average that drifted as the collection grew would weigh old and
 * new chunks by different yardsticks, and two processes writing at once would disagree. The chunker
 * caps chunks at 1,500 characters (about 230 words, some 150-190 terms once stop words go and
 * identifiers add their parts) and section ends make many chunks shorter, so 150 is close to the
 * real average; a constant that is off only rescales the effective `b` for every chunk alike.
 * Changing it requires re-ingesting, like any change to the analyzer.
 */
export const AVERAGE_CHUNK_TERMS = 150;

/** Payload fields searches filter on, with the index type that makes the filter cheap. */
const PAYLOAD_INDEXES: [field: string, schema: Schemas['PayloadSchemaType']][] = [
  ['documentUrl', 'keyword'],
  ['site', 'keyword'],
  // Stale-chunk deletion filters on a range of positions, and stats counts position 0.
  ['position', 'integer'],
];

/** The one point of the meta collection: it holds the index version counter. */
const META_POINT_ID = 1;

/** Fixed namespace for the name-based (version 5) UUIDs of points, so ids never change. */
const POINT_ID_NAMESPACE = Buffer.from('3f0b9c2e6d5a4e81b7c4a9d0e2f61358', 'hex');

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
 * Writes are meant to come from one ingest process at a time: this store serialises its own writes,
 * but two processes writing at once could both bump the index version to the same number.
 */
export class QdrantStore extends VectorStore {
  private readonly client: QdrantClient;
  /** The server URL as error messages show it: no credentials, no query string. */
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
    this.client = new QdrantClient({
      url: settings.url,
      apiKey: settings.apiKey,
      timeout: REQUEST_TIMEOUT_MS,
      // The client's version check runs in the background and can only print a warning; init's own
      // requests report an unreachable or incompatible server as an error instead.
      checkCompatibility: false,
    });
    this.endpoint = displayUrl(settings.url);
    this.collection = settings.collection;
    this.metaCollection = `${settings.collection}_meta`;
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
    // A process that died between creating the collection and its indexes left some missing.
    for (const [field, schema] of PAYLOAD_INDEXES) {
      if (info.payload_schema[field]) continue;
      await this.call(`create the payload index on "${field}"`, () =>
        this.client.createPayloadIndex(this.collection, {
          field_name: field,
          field_schema: schema,
          wait: true,
        }),
      );
    }
    await this.createIfMissing(this.metaCollection, { vectors: {} });
    this.dimensions = dimensions;
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
        this.toPoint(chunk, document, version),
      );
      for (let start = 0; start < rest.length; start += UPSERT_BATCH_SIZE) {
        await this.upsertPoints(document.url, rest.slice(start, start + UPSERT_BATCH_SIZE));
      }
      await this.call(`delete stale chunks of ${document.url}`, () =>
        this.client.delete(this.collection, {
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
      await this.call(`delete ${url}`, () =>
        this.client.delete(this.collection, {
          wait: true,
          filter: { must: [matchValue('documentUrl', url)] },
        }),
      );
    });
  }

  async documentHash(url: string): Promise<string | undefined> {
    this.ready();
    const { points } = await this.call(`read the content hash of ${url}`, () =>
      this.client.scroll(this.collection, {
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
    const { points } = await this.call('keyword search', () =>
      this.client.query(this.collection, {
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
    const { points } = await this.call('dense search', () =>
      this.client.query(this.collection, {
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
      this.call('count chunks', () => this.client.count(this.collection, { exact: true })),
      this.call('count documents', () =>
        this.client.count(this.collection, {
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
      const result = await this.call('list documents', () =>
        this.client.scroll(this.collection, {
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
    const { exists } = await this.call(`check whether collection "${name}" exists`, () =>
      this.client.collectionExists(name),
    );
    if (exists) return;
    try {
      await this.client.createCollection(name, config);
    } catch (error) {
      // Another process (a second server task, the ingest job) created it since the check.
      if (httpStatus(error) === 409) return;
      throw this.failure(`create collection "${name}"`, error);
    }
  }

  private async validateCollection(dimensions: number): Promise<Schemas['CollectionInfo']> {
    const info = await this.call(`read collection "${this.collection}"`, () =>
      this.client.getCollection(this.collection),
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
  private write(apply: (version: number) => Promise<void>): Promise<void> {
    const run = this.writes.then(async () => {
      const version = (await this.readIndexVersion()) + 1;
      await apply(version);
      await this.call('record the index version', () =>
        this.client.upsert(this.metaCollection, {
          wait: true,
          points: [{ id: META_POINT_ID, vector: {}, payload: { indexVersion: version } }],
        }),
      );
    });
    this.writes = run.catch(() => undefined);
    return run;
  }

  private async readIndexVersion(): Promise<number> {
    const [meta] = await this.call('read the index version', () =>
      this.client.retrieve(this.metaCollection, { ids: [META_POINT_ID], with_payload: true }),
    );
    const version = meta?.payload?.indexVersion;
    return typeof version === 'number' ? version : 0;
  }

  private async upsertPoints(url: string, points: Schemas['PointStruct'][]): Promise<void> {
    await this.call(`upsert ${points.length} chunks of ${url}`, () =>
      this.client.upsert(this.collection, { wait: true, points }),
    );
  }

  private toPoint(
    chunk: ChunkInput,
    document: IndexedDocument,
    indexVersion: number,
  ): Schemas['PointStruct'] {
    const vector: Record<string, Schemas['Vector']> = {};
    // A chunk without terms (only punctuation, say) could never match a keyword query.
    if (chunk.terms.length > 0) vector[KEYWORDS] = this.keywordWeights(chunk.terms);
    if (chunk.embedding) vector[DENSE] = chunk.embedding;
    const payload = {
      id: chunk.id,
      documentUrl: chunk.documentUrl,
      site: chunk.site,
      url: chunk.url,
      position: chunk.position,
      title: chunk.title,
      headingPath: chunk.headingPath,
      text: chunk.text,
      language: chunk.language,
      contentHash: chunk.contentHash,
      indexVersion,
      // The document's hash, for documentHash(); read from chunk 0, the commit mark.
      documentContentHash: document.contentHash,
    } satisfies Chunk & { documentContentHash: string };
    return { id: pointId(chunk.id), vector, payload };
  }

  /**
   * BM25's term-frequency part for each term of a chunk: tf·(k1+1) / (tf + k1·(1−b+b·len/avgLen)).
   * Qdrant's idf modifier multiplies in ln(1 + (N−n+0.5)/(n+0.5)) at query time, and the query
   * vector carries each query term's count, so a keyword score is BM25 summed over query terms.
   */
  private keywordWeights(terms: string[]): Schemas['SparseVector'] {
    const { k1, b } = this.bm25;
    const lengthNorm = k1 * (1 - b + (b * terms.length) / AVERAGE_CHUNK_TERMS);
    const indices: number[] = [];
    const values: number[] = [];
    for (const [index, tf] of countByIndex(terms)) {
      indices.push(index);
      values.push((tf * (k1 + 1)) / (tf + lengthNorm));
    }
    return { indices, values };
  }

  private toScoredChunk(point: Schemas['ScoredPoint']): ScoredChunk {
    return { chunk: this.toChunk(point), score: point.score };
  }

  private toChunk(point: Schemas['ScoredPoint']): Chunk {
    const payload = point.payload ?? {};
    const field = <T>(name: keyof Chunk, valid: (value: unknown) => value is T): T => {
      const value = payload[name];
      if (valid(value)) return value;
      throw new Error(
        `point ${point.id} of Qdrant collection "${this.collection}" has no valid "${name}" in ` +
          'its payload: was it written by LoreChat?',
      );
    };
    return {
      id: field('id', isString),
      documentUrl: field('documentUrl', isString),
      site: field('site', isString),
      url: field('url', isString),
      position: field('position', isNumber),
      title: field('title', isString),
      headingPath: field('headingPath', isStringArray),
      text: field('text', isString),
      language: field('language', isString),
      contentHash: field('contentHash', isString),
      indexVersion: field('indexVersion', isNumber),
    };
  }

  private async call<T>(operation: string, request: () => Promise<T>): Promise<T> {
    try {
      return await request();
    } catch (error) {
      throw this.failure(operation, error);
    }
  }

  /** An error naming the server and the operation; never the API key, whatever the cause says. */
  private failure(operation: string, error: unknown): Error {
    const message = `Qdrant at ${this.endpoint}: ${operation} failed: ${describeError(error)}`;
    const { apiKey } = this.settings;
    return new Error(apiKey ? message.replaceAll(apiKey, '[redacted]') : message);
  }
}

/**
 * The sparse-vector index of an analyzed term: its 32-bit FNV-1a hash over UTF-8, so every process
 * and every release maps a term to the same dimension without a shared vocabulary. Two terms can
 * collide: with a vocabulary of V terms about V²/2³³ pairs do (around one pair at 100,000 terms), and
 * a colliding pair behaves as one term, which only blurs the ranking of queries using either.
 */
export function termIndex(term: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(term, 'utf8')) {
    hash = Math.imul(hash ^ byte, 0x01000193);
  }
  return hash >>> 0;
}

/** Term counts by sparse index; terms that collide add up, as Qdrant wants unique indices. */
function countByIndex(terms: string[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const term of terms) {
    const index = termIndex(term);
    counts.set(index, (counts.get(index) ?? 0) + 1);
  }
  return counts;
}

/**
 * The point id of a chunk: a name-based UUID (RFC 9562 version 5) of the chunk id, as Qdrant takes
 * only unsigned integers and UUIDs, and a chunk written again must land on the same point.
 */
export function pointId(chunkId: string): string {
  const bytes = createHash('sha1')
    .update(POINT_ID_NAMESPACE)
    .update(chunkId, 'utf8')
    .digest()
    .subarray(0, 16);
  bytes.writeUInt8((bytes.readUInt8(6) & 0x0f) | 0x50, 6);
  bytes.writeUInt8((bytes.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
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

function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return '(invalid QDRANT_URL)';
  }
}

/** The HTTP status of a failed request; the client throws the response as an error. */
function httpStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

function describeError(error: unknown): string {
  const status = httpStatus(error);
  if (status !== undefined) {
    const body = (error as { data?: { status?: { error?: unknown } } }).data;
    const detail = typeof body?.status?.error === 'string' ? `: ${body.status.error}` : '';
    const hint = status === 401 || status === 403 ? ' (check QDRANT_API_KEY)' : '';
    return `HTTP ${status}${detail}${hint}`;
  }
  if (error instanceof QdrantClientTimeoutError) {
    return `no answer within ${REQUEST_TIMEOUT_MS / 1000} s`;
  }
  // fetch reports a refused or unresolvable connection as "fetch failed", the reason in `cause`.
  const code = (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  if (typeof code === 'string') {
    return `cannot connect (${code}); check QDRANT_URL and that Qdrant is running`;
  }
  return error instanceof Error ? error.message : String(error);
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number';
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every(isString);
}
