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
 *   GET  /readyz; GET /collections/{name}/cluster (this node's shards: all of them unless the test
 *        says otherwise with `localShards`)
 *   snapshots: POST and GET /collections/{name}/snapshots (create with `wait`, list),
 *        GET and DELETE …/snapshots/{snapshot} (download as application/octet-stream, delete),
 *        POST …/snapshots/upload (multipart field `snapshot`, query `priority` and `checksum`):
 *        a missing collection is created from the snapshot; an existing one takes the snapshot's
 *        points only with priority `snapshot` (or `no_sync`) and keeps its own with the default
 *        `replica`, as Qdrant documents; a checksum that does not match, or a snapshot of another
 *        vector configuration, is refused with 400. Snapshot files are the fake's own format
 *        (qdrant-snapshot-files.ts), opaque to LoreChat as real ones are.
 * Collections keep the shard number, replication factor and write consistency factor they were
 * created with and report them; the fake does not distribute points, but a node's snapshot holds
 * only the points of the shards it was told it holds.
 *
 * Several fakes can share one storage (`startFakeQdrantCluster`): they stand in for the nodes of one
 * cluster, each answering for every collection, as Qdrant's nodes do, so a test can stop one and
 * go on with another. Each node keeps its own snapshots, as each Qdrant node keeps them on its disk.
 *
 * Responses use Qdrant's envelope `{ result, status: "ok", time }`, errors `{ status: { error } }`
 * with 400, 404 or 409. Anything else answers 400 or 404 saying the fake does not implement it, so a
 * store change that starts using more of the API fails loudly here instead of passing by accident.
 *
 * To make it fail: `failWhen(predicate)` answers matching requests with a 500, the `hang` behaviour
 * never answers (a node cut off by the network), `close()` leaves a port that refuses connections.
 */
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type Schemas } from '@qdrant/js-client-rest';
import { FakeHttpServer, type FakeRequest, parseJson, readBody } from './fake-http-server';
import {
  badInput,
  checkSparse,
  compareIds,
  isNumberArray,
  matches,
  normaliseId,
  notImplemented,
  QdrantError,
  withPayload,
} from './qdrant-matching';
import { NodeSnapshots } from './qdrant-node-snapshots';
import { queryPoints } from './qdrant-query';
import { type StoredCollection, type StoredPoint } from './qdrant-snapshot-files';

export interface FakeQdrantRequest extends FakeRequest<unknown> {
  method: string;
  /** The query string, e.g. `{ wait: 'true' }`. */
  query: Record<string, string>;
}

export type FakeQdrantBehaviour =
  | { kind: 'serve' }
  /** Answers with this status and Qdrant's error body, changing nothing. */
  | { kind: 'error'; status: number; message?: string }
  /** Never answers: the client's timeout is what ends the request. */
  | { kind: 'hang' };

const SERVE: FakeQdrantBehaviour = { kind: 'serve' };

/** What the nodes of one fake cluster share: the collections, and the write counter. */
export class FakeQdrantStorage {
  readonly collections = new Map<string, StoredCollection>();
  operationId = 0;
}

export interface FakeQdrantOptions {
  /** Another node's storage: the new node is one more node of that cluster. */
  storage?: FakeQdrantStorage;
  /** The port to listen on, to bring a stopped node back at its address; a free one by default. */
  port?: number;
  /** The shards this node holds, by id; every shard of every collection by default. */
  localShards?: number[];
}

/** Starts a fake Qdrant on 127.0.0.1 with a free port and no collections. */
export function startFakeQdrant(options: FakeQdrantOptions = {}): Promise<FakeQdrant> {
  return new FakeQdrant(options).listen(options.port);
}

/** Starts `count` fake nodes sharing one storage: one cluster as its clients see it. */
export async function startFakeQdrantCluster(count: number): Promise<FakeQdrant[]> {
  const storage = new FakeQdrantStorage();
  return Promise.all(Array.from({ length: count }, () => startFakeQdrant({ storage })));
}

let nextPeerId = 1001;

/** A raw (non-JSON) response body, such as a snapshot download. */
class Bytes {
  constructor(readonly bytes: Buffer) {}
}

export class FakeQdrant extends FakeHttpServer<FakeQdrantRequest, FakeQdrantBehaviour> {
  readonly storage: FakeQdrantStorage;
  readonly peerId = nextPeerId++;
  private readonly snapshots: NodeSnapshots;

  constructor(options: FakeQdrantOptions = {}) {
    super(SERVE);
    this.storage = options.storage ?? new FakeQdrantStorage();
    this.snapshots = new NodeSnapshots(this.peerId, options.localShards);
  }

  private get collections(): Map<string, StoredCollection> {
    return this.storage.collections;
  }

  /** The port this node listens on, to start a node again at the same address. */
  get port(): number {
    return Number(new URL(this.url).port);
  }

  /** Answers requests matching `predicate` with `status` (default 500); serves the others. */
  failWhen(predicate: (request: FakeQdrantRequest) => boolean, status = 500): void {
    this.setScript((request) => (predicate(request) ? { kind: 'error', status } : SERVE));
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://fake-qdrant');
    const raw = await readBody(req);
    const multipart = req.headers['content-type']?.startsWith('multipart/form-data') ?? false;
    const request: FakeQdrantRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: multipart ? undefined : parseJson<unknown>(raw),
    };
    this.requests.push(request);
    const time = () => Number(process.hrtime.bigint() - started) / 1e9;
    const behaviour = this.nextBehaviour(request);
    if (behaviour.kind === 'hang') return;
    if (behaviour.kind === 'error') {
      const message = behaviour.message ?? 'Service internal error: failure injected by the test';
      sendJson(res, behaviour.status, { status: { error: message }, time: time() });
      return;
    }
    try {
      if (request.method === 'GET' && request.path === '/readyz') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('all shards are ready');
        return;
      }
      const result = await this.route(request, multipart ? { raw, req } : undefined);
      if (result instanceof Bytes) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(result.bytes);
        return;
      }
      sendJson(res, 200, { result, status: 'ok', time: time() });
    } catch (error) {
      if (!(error instanceof QdrantError)) throw error;
      sendJson(res, error.status, { status: { error: error.message }, time: time() });
    }
  }

  private async route(
    request: FakeQdrantRequest,
    upload?: { raw: Buffer; req: IncomingMessage },
  ): Promise<unknown> {
    const match = /^\/collections\/([^/]+)(\/.*)?$/.exec(request.path);
    const name = match?.[1] && decodeURIComponent(match[1]);
    const route = `${request.method} ${match?.[2] ?? ''}`;
    if (name) {
      const encoded = /^\/snapshots\/([^/]+)$/.exec(match?.[2] ?? '')?.[1];
      const snapshot = encoded && decodeURIComponent(encoded);
      if (snapshot && snapshot !== 'upload' && snapshot !== 'recover') {
        if (request.method === 'GET') return new Bytes(this.snapshots.read(name, snapshot));
        if (request.method === 'DELETE') return this.snapshots.delete(name, snapshot);
      }
      switch (route) {
        case 'GET /cluster':
          return this.snapshots.clusterInfo(this.collection(name));
        case 'POST /snapshots':
          return this.snapshots.create(name, this.collection(name));
        case 'GET /snapshots':
          this.collection(name);
          return this.snapshots.list(name);
        case 'POST /snapshots/upload':
          return this.recoverUpload(name, request, upload);
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
          return queryPoints(this.collection(name), body<Schemas['QueryRequest']>(request));
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

  private async recoverUpload(
    name: string,
    request: FakeQdrantRequest,
    upload: { raw: Buffer; req: IncomingMessage } | undefined,
  ): Promise<boolean> {
    if (!upload) throw badInput('expected a multipart/form-data body with a `snapshot` file');
    const form = await new Response(upload.raw, {
      headers: { 'content-type': String(upload.req.headers['content-type']) },
    }).formData();
    const file = form.get('snapshot');
    if (!(file instanceof Blob)) throw badInput('the form has no `snapshot` file');
    const bytes = Buffer.from(await file.arrayBuffer());
    return this.snapshots.recover(this.collections, name, bytes, request.query);
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
    const layout = {
      shardNumber: config.shard_number ?? 1,
      replicationFactor: config.replication_factor ?? 1,
      writeConsistencyFactor: config.write_consistency_factor ?? 1,
    };
    if (layout.writeConsistencyFactor > layout.replicationFactor) {
      throw badInput('write_consistency_factor must not exceed replication_factor');
    }
    this.collections.set(name, { dense, sparse, payloadSchema: {}, layout, points: new Map() });
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
          shard_number: collection.layout.shardNumber,
          replication_factor: collection.layout.replicationFactor,
          write_consistency_factor: collection.layout.writeConsistencyFactor,
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
      version: this.storage.operationId + 1,
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
    this.storage.operationId += 1;
    return { operation_id: this.storage.operationId, status: 'completed' };
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
