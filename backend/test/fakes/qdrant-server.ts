/**
 * A local HTTP server (node:http on 127.0.0.1) that follows Qdrant's REST API for the calls
 * QdrantStore makes. It is not a real Qdrant and not a mock of the client: the official
 * `@qdrant/js-client-rest` reaches it over a socket as it would reach Qdrant, so the client's
 * request building, error handling and the store's use of both are the real ones.
 *
 * What it implements, with Qdrant's semantics as documented for v1.18:
 *   GET  /collections/{name}/exists, GET, PUT and DELETE /collections/{name} (named dense vectors,
 *        named sparse vectors with the `idf` modifier, or no vectors at all; DELETE for tests'
 *        clean-up), PUT /collections/{name}/index
 *   PUT  /collections/{name}/points (upsert, points list form), POST …/points (retrieve by id),
 *   POST …/points/delete (by filter or ids), …/points/scroll, …/points/count,
 *   POST …/points/query with a dense vector (cosine) or a sparse vector (dot product, the query's
 *        weights multiplied by IDF = ln(1 + (N − n + 0.5)/(n + 0.5)) when the vector has the idf
 *        modifier; points sharing no dimension with the query are not returned)
 *   filters: `must`, `must_not`, `should` of `match: {value}` and `range` conditions
 * Responses use Qdrant's envelope `{ result, status: "ok", time }`, errors `{ status: { error } }`
 * with 400, 404 or 409. Anything else answers 400 or 404 saying the fake does not implement it, so a
 * store change that starts using more of the API fails loudly here instead of passing by accident.
 *
 * To make it fail: `failWhen(predicate)` answers matching requests with a 500, `close()` leaves a
 * port that refuses connections.
 */
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type Schemas } from '@qdrant/js-client-rest';
import { FakeHttpServer, type FakeRequest, readJson } from './fake-http-server';

export interface FakeQdrantRequest extends FakeRequest<unknown> {
  method: string;
  /** The query string, e.g. `{ wait: 'true' }`. */
  query: Record<string, string>;
}

export type FakeQdrantBehaviour =
  | { kind: 'serve' }
  /** Answers with this status and Qdrant's error body, changing nothing. */
  | { kind: 'error'; status: number; message?: string };

const SERVE: FakeQdrantBehaviour = { kind: 'serve' };

interface StoredPoint {
  id: string | number;
  dense: Map<string, number[]>;
  sparse: Map<string, Schemas['SparseVector']>;
  payload: Record<string, unknown>;
  version: number;
}

interface StoredCollection {
  dense: Record<string, Schemas['VectorParams']>;
  sparse: Record<string, Schemas['SparseVectorParams']>;
  payloadSchema: Record<string, Schemas['PayloadSchemaType']>;
  /** By normalised id. */
  points: Map<string, StoredPoint>;
}

/** An error Qdrant would answer with. */
class QdrantError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const badInput = (message: string) => new QdrantError(400, `Wrong input: ${message}`);
const notImplemented = (what: string) =>
  new QdrantError(400, `the fake Qdrant does not implement ${what}`);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Starts a fake Qdrant on 127.0.0.1 with a free port and no collections. */
export function startFakeQdrant(): Promise<FakeQdrant> {
  return new FakeQdrant().listen();
}

export class FakeQdrant extends FakeHttpServer<FakeQdrantRequest, FakeQdrantBehaviour> {
  private readonly collections = new Map<string, StoredCollection>();
  private operationId = 0;

  constructor() {
    super(SERVE);
  }

  /** Answers requests matching `predicate` with `status` (default 500); serves the others. */
  failWhen(predicate: (request: FakeQdrantRequest) => boolean, status = 500): void {
    this.setScript((request) => (predicate(request) ? { kind: 'error', status } : SERVE));
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://fake-qdrant');
    const request: FakeQdrantRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: await readJson<unknown>(req),
    };
    this.requests.push(request);
    const time = () => Number(process.hrtime.bigint() - started) / 1e9;
    const behaviour = this.nextBehaviour(request);
    if (behaviour.kind === 'error') {
      const message = behaviour.message ?? 'Service internal error: failure injected by the test';
      sendJson(res, behaviour.status, { status: { error: message }, time: time() });
      return;
    }
    try {
      const result = this.route(request);
      sendJson(res, 200, { result, status: 'ok', time: time() });
    } catch (error) {
      if (!(error instanceof QdrantError)) throw error;
      sendJson(res, error.status, { status: { error: error.message }, time: time() });
    }
  }

  private route(request: FakeQdrantRequest): unknown {
    const match = /^\/collections\/([^/]+)(\/.*)?$/.exec(request.path);
    const name = match?.[1] && decodeURIComponent(match[1]);
    const route = `${request.method} ${match?.[2] ?? ''}`;
    if (name) {
      switch (route) {
        case 'GET /exists':
          return { exists: this.collections.has(name) };
        case 'GET ':
          return this.info(this.collection(name));
        case 'PUT ':
          return this.create(name, body<Schemas['CreateCollection']>(request));
        case 'DELETE ':
          return this.collections.delete(name);
        case 'PUT /index':
          return this.createIndex(
            this.collection(name),
            body<Schemas['CreateFieldIndex']>(request),
          );
        case 'PUT /points':
          return this.upsert(
            this.collection(name),
            body<Schemas['PointInsertOperations']>(request),
          );
        case 'POST /points':
          return this.retrieve(this.collection(name), body<Schemas['PointRequest']>(request));
        case 'POST /points/delete':
          return this.delete(this.collection(name), body<Schemas['PointsSelector']>(request));
        case 'POST /points/query':
          return this.query(this.collection(name), body<Schemas['QueryRequest']>(request));
        case 'POST /points/scroll':
          return this.scroll(this.collection(name), body<Schemas['ScrollRequest']>(request));
        case 'POST /points/count':
          return this.count(this.collection(name), body<Schemas['CountRequest']>(request));
      }
    }
    throw new QdrantError(
      404,
      `Not found: the fake Qdrant does not implement ${request.method} ${request.path}`,
    );
  }

  private collection(name: string): StoredCollection {
    const collection = this.collections.get(name);
    if (!collection) throw new QdrantError(404, `Not found: Collection \`${name}\` doesn't exist!`);
    return collection;
  }

  private create(name: string, config: Schemas['CreateCollection']): boolean {
    if (this.collections.has(name)) {
      throw new QdrantError(409, `Wrong input: Collection \`${name}\` already exists!`);
    }
    const vectors = config.vectors ?? {};
    if ('size' in vectors) throw notImplemented('collections with an unnamed vector');
    const dense: Record<string, Schemas['VectorParams']> = {};
    for (const [vectorName, params] of Object.entries(vectors)) {
      if (!params || !Number.isInteger(params.size) || params.size < 1) {
        throw badInput(`vector "${vectorName}" needs a size ≥ 1`);
      }
      dense[vectorName] = { size: params.size, distance: params.distance };
    }
    const sparse: Record<string, Schemas['SparseVectorParams']> = {};
    for (const [vectorName, params] of Object.entries(config.sparse_vectors ?? {})) {
      sparse[vectorName] = params?.modifier ? { modifier: params.modifier } : {};
    }
    this.collections.set(name, { dense, sparse, payloadSchema: {}, points: new Map() });
    return true;
  }

  private info(collection: StoredCollection): Schemas['CollectionInfo'] {
    const pointsCount = collection.points.size;
    return {
      status: 'green',
      optimizer_status: 'ok',
      indexed_vectors_count: 0,
      points_count: pointsCount,
      segments_count: 1,
      config: {
        params: {
          vectors: collection.dense,
          shard_number: 1,
          replication_factor: 1,
          write_consistency_factor: 1,
          on_disk_payload: true,
          sparse_vectors: collection.sparse,
        },
        hnsw_config: { m: 16, ef_construct: 100, full_scan_threshold: 10000 },
        optimizer_config: {
          deleted_threshold: 0.2,
          vacuum_min_vector_number: 1000,
          default_segment_number: 0,
          flush_interval_sec: 5,
        },
      },
      payload_schema: Object.fromEntries(
        Object.entries(collection.payloadSchema).map(([field, type]) => [
          field,
          {
            data_type: type,
            points: [...collection.points.values()].filter((p) => field in p.payload).length,
          },
        ]),
      ),
    };
  }

  private createIndex(
    collection: StoredCollection,
    index: Schemas['CreateFieldIndex'],
  ): Schemas['UpdateResult'] {
    const schema = index.field_schema;
    if (typeof schema !== 'string') throw notImplemented('payload index parameters');
    collection.payloadSchema[index.field_name] = schema;
    return this.updated();
  }

  private upsert(
    collection: StoredCollection,
    operation: Schemas['PointInsertOperations'],
  ): Schemas['UpdateResult'] {
    if (!('points' in operation)) throw notImplemented('the batch form of upsert');
    // Qdrant validates the whole request before applying any of it.
    const points = operation.points.map((point) => this.toStored(collection, point));
    for (const point of points) collection.points.set(String(point.id), point);
    return this.updated();
  }

  private toStored(collection: StoredCollection, point: Schemas['PointStruct']): StoredPoint {
    const id = normaliseId(point.id);
    const stored: StoredPoint = {
      id,
      dense: new Map(),
      sparse: new Map(),
      payload: { ...(point.payload ?? {}) },
      version: this.operationId + 1,
    };
    if (Array.isArray(point.vector) || typeof point.vector !== 'object' || point.vector === null) {
      throw badInput('Not existing vector name error: ');
    }
    for (const [name, value] of Object.entries(point.vector)) {
      const dense = collection.dense[name];
      if (dense) {
        if (!isNumberArray(value)) throw badInput(`vector "${name}" must be a list of numbers`);
        if (value.length !== dense.size) {
          throw badInput(
            `Vector dimension error: expected dim: ${dense.size}, got ${value.length}`,
          );
        }
        stored.dense.set(name, value);
      } else if (collection.sparse[name]) {
        stored.sparse.set(name, checkSparse(value));
      } else {
        throw badInput(`Not existing vector name error: ${name}`);
      }
    }
    return stored;
  }

  private retrieve(collection: StoredCollection, request: Schemas['PointRequest']): unknown[] {
    return request.ids.flatMap((id) => {
      const point = collection.points.get(String(normaliseId(id)));
      return point ? [this.record(point, request.with_payload ?? true)] : [];
    });
  }

  private delete(
    collection: StoredCollection,
    selector: Schemas['PointsSelector'],
  ): Schemas['UpdateResult'] {
    if ('points' in selector) {
      for (const id of selector.points) collection.points.delete(String(normaliseId(id)));
    } else {
      for (const [key, point] of collection.points) {
        if (matches(selector.filter, point)) collection.points.delete(key);
      }
    }
    return this.updated();
  }

  private query(
    collection: StoredCollection,
    request: Schemas['QueryRequest'],
  ): Schemas['QueryResponse'] {
    if (request.prefetch || request.offset || request.score_threshold || request.lookup_from) {
      throw notImplemented('prefetch, offset, score_threshold or lookup_from in queries');
    }
    const using = request.using ?? '';
    const candidates = [...collection.points.values()].filter((point) =>
      matches(request.filter, point),
    );
    let scored: { point: StoredPoint; score: number }[];
    const dense = collection.dense[using];
    if (dense) {
      if (!isNumberArray(request.query)) throw notImplemented(`non-vector queries on "${using}"`);
      const query = request.query;
      if (query.length !== dense.size) {
        throw badInput(`Vector dimension error: expected dim: ${dense.size}, got ${query.length}`);
      }
      scored = candidates.flatMap((point) => {
        const vector = point.dense.get(using);
        return vector ? [{ point, score: cosine(query, vector) }] : [];
      });
    } else if (collection.sparse[using]) {
      const query = checkSparse(request.query);
      const idf = collection.sparse[using].modifier === 'idf';
      const weights = query.indices.map((index, i) => {
        const value = query.values[i] ?? 0;
        return idf ? value * this.idf(collection, using, index) : value;
      });
      scored = candidates.flatMap((point) => {
        const vector = point.sparse.get(using);
        if (!vector) return [];
        const values = new Map(vector.indices.map((index, i) => [index, vector.values[i] ?? 0]));
        let score = 0;
        let overlaps = false;
        query.indices.forEach((index, i) => {
          const value = values.get(index);
          if (value === undefined) return;
          overlaps = true;
          score += (weights[i] ?? 0) * value;
        });
        return overlaps ? [{ point, score }] : [];
      });
    } else {
      throw badInput(`Not existing vector name error: ${using}`);
    }
    scored.sort((a, b) => b.score - a.score);
    return {
      points: scored.slice(0, request.limit ?? 10).map(({ point, score }) => ({
        id: point.id,
        version: point.version,
        score,
        ...withPayload(point, request.with_payload ?? false),
      })),
    };
  }

  /** Qdrant's IDF over the whole collection, whatever the query's filter. */
  private idf(collection: StoredCollection, vectorName: string, index: number): number {
    const points = [...collection.points.values()];
    const containing = points.filter((point) => {
      const vector = point.sparse.get(vectorName);
      const at = vector?.indices.indexOf(index) ?? -1;
      return at >= 0 && vector?.values[at] !== 0;
    }).length;
    return Math.log(1 + (points.length - containing + 0.5) / (containing + 0.5));
  }

  private scroll(
    collection: StoredCollection,
    request: Schemas['ScrollRequest'],
  ): Schemas['ScrollResult'] {
    if (request.order_by) throw notImplemented('order_by in scroll');
    const sorted = [...collection.points.values()]
      .filter((point) => matches(request.filter, point))
      .sort((a, b) => compareIds(a.id, b.id));
    const offset = request.offset;
    const from =
      offset === undefined || offset === null
        ? 0
        : sorted.findIndex((point) => compareIds(point.id, offset as string | number) >= 0);
    const limit = request.limit ?? 10;
    const page = from < 0 ? [] : sorted.slice(from, from + limit);
    return {
      points: page.map((point) => this.record(point, request.with_payload ?? true)),
      next_page_offset: from < 0 ? null : (sorted[from + limit]?.id ?? null),
    };
  }

  private count(
    collection: StoredCollection,
    request: Schemas['CountRequest'],
  ): Schemas['CountResult'] {
    const points = [...collection.points.values()];
    return { count: points.filter((point) => matches(request.filter, point)).length };
  }

  private record(point: StoredPoint, selector: unknown): Schemas['Record'] {
    return { id: point.id, ...withPayload(point, selector) };
  }

  private updated(): Schemas['UpdateResult'] {
    this.operationId += 1;
    return { operation_id: this.operationId, status: 'completed' };
  }
}

function body<T>(request: FakeQdrantRequest): T {
  if (typeof request.body !== 'object' || request.body === null) {
    throw new QdrantError(400, 'Json deserialize error: expected a JSON object body');
  }
  return request.body as T;
}

function sendJson(res: ServerResponse, status: number, value: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(value));
}

/** Qdrant ids are unsigned integers or UUIDs; UUIDs come back lower-case and hyphenated. */
function normaliseId(id: unknown): string | number {
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return id;
  if (typeof id === 'string' && UUID.test(id)) return id.toLowerCase();
  throw new QdrantError(
    400,
    `Format error in JSON body: value ${JSON.stringify(id)} is not a valid point ID, valid ` +
      'values are either an unsigned integer or a UUID',
  );
}

function compareIds(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  // Integer ids sort before UUIDs, as in Qdrant.
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function checkSparse(value: unknown): Schemas['SparseVector'] {
  const vector = value as Partial<Schemas['SparseVector']> | null;
  const { indices, values } = vector ?? {};
  if (!isNumberArray(indices) || !isNumberArray(values)) {
    throw badInput('a sparse vector needs `indices` and `values` lists');
  }
  if (indices.length !== values.length) {
    throw new QdrantError(
      422,
      'Validation error in JSON body: [indices: must be the same length as values]',
    );
  }
  if (!indices.every((index) => Number.isInteger(index) && index >= 0 && index < 2 ** 32)) {
    throw badInput('sparse indices must be unsigned 32-bit integers');
  }
  if (new Set(indices).size !== indices.length) {
    throw new QdrantError(422, 'Validation error in JSON body: [indices: must be unique]');
  }
  return { indices, values };
}

function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  a.forEach((value, i) => {
    const other = b[i] ?? 0;
    dot += value * other;
    normA += value * value;
    normB += other * other;
  });
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

function matches(
  filter: Schemas['Filter'] | Record<string, unknown> | null | undefined,
  point: StoredPoint,
): boolean {
  if (!filter) return true;
  const { must, must_not: mustNot, should, ...rest } = filter as Schemas['Filter'];
  if (Object.keys(rest).length > 0) {
    throw notImplemented(`filter clauses ${Object.keys(rest).join(', ')}`);
  }
  const list = (conditions: Schemas['Filter']['must']): Schemas['Condition'][] =>
    conditions === undefined || conditions === null
      ? []
      : Array.isArray(conditions)
        ? conditions
        : [conditions];
  const shouldList = list(should);
  return (
    list(must).every((condition) => holds(condition, point)) &&
    !list(mustNot).some((condition) => holds(condition, point)) &&
    (shouldList.length === 0 || shouldList.some((condition) => holds(condition, point)))
  );
}

function holds(condition: Schemas['Condition'], point: StoredPoint): boolean {
  if (!('key' in condition)) {
    if ('must' in condition || 'should' in condition || 'must_not' in condition) {
      return matches(condition, point);
    }
    throw notImplemented(`conditions other than field conditions: ${JSON.stringify(condition)}`);
  }
  const raw = point.payload[condition.key];
  const values = Array.isArray(raw) ? (raw as unknown[]) : [raw];
  if (condition.match) {
    if (!('value' in condition.match)) throw notImplemented('match other than match.value');
    const expected = condition.match.value;
    return values.some((value) => value === expected);
  }
  if (condition.range) {
    const { gt, gte, lt, lte } = condition.range as {
      gt?: number | null;
      gte?: number | null;
      lt?: number | null;
      lte?: number | null;
    };
    return values.some(
      (value) =>
        typeof value === 'number' &&
        (gt == null || value > gt) &&
        (gte == null || value >= gte) &&
        (lt == null || value < lt) &&
        (lte == null || value <= lte),
    );
  }
  throw notImplemented(`field conditions other than match and range on "${condition.key}"`);
}

function withPayload(point: StoredPoint, selector: unknown): { payload?: Record<string, unknown> } {
  if (selector === true) return { payload: point.payload };
  if (selector === false || selector === null || selector === undefined) return {};
  if (Array.isArray(selector) && selector.every((key) => typeof key === 'string')) {
    return {
      payload: Object.fromEntries(
        Object.entries(point.payload).filter(([key]) => selector.includes(key)),
      ),
    };
  }
  throw notImplemented('payload selectors other than true, false or a list of keys');
}

function isNumberArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'number');
}
