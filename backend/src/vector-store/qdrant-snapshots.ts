import { createHash } from 'node:crypto';
import { createWriteStream, openAsBlob } from 'node:fs';
import { basename } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type ReadableStream } from 'node:stream/web';
import { type Schemas } from '@qdrant/js-client-rest';
import { type QdrantSettings } from '../config/app-config';
import { describeError, displayUrl } from './qdrant-nodes';

/**
 * Creating a snapshot with `wait=true` holds the request until the node has written it, which
 * takes minutes on a large collection; uploads are read by the node before it answers.
 */
const SNAPSHOT_TIMEOUT_MS = 30 * 60_000;

/** A collection's state as the backup needs it, read from one node. */
export interface CollectionState {
  points: number;
  layout: { shardNumber: number; replicationFactor: number; writeConsistencyFactor: number };
}

/**
 * Qdrant's collection snapshot API over REST, node by node: a collection snapshot holds what one
 * node stores of the collection, so the backup picks a node holding every shard of it.
 *
 *   POST   /collections/{name}/snapshots?wait=true        create one on the node
 *   GET    /collections/{name}/snapshots/{snapshot}       download it
 *   DELETE /collections/{name}/snapshots/{snapshot}       delete it from the node's disk
 *   POST   /collections/{name}/snapshots/upload?priority=snapshot&checksum=…&wait=true
 *          recover the collection from an uploaded file (multipart field `snapshot`); `snapshot`
 *          priority makes the file the source of truth, where the default would keep the
 *          replicas' existing data
 *   GET    /collections/{name}/cluster                    the shards this node holds
 *
 * The official client has no download or upload, so this speaks HTTP with fetch, for all of them
 * alike. Errors name the node and the operation, never the API key.
 */
export class QdrantSnapshots {
  private readonly urls: string[];

  constructor(private readonly settings: Pick<QdrantSettings, 'urls' | 'apiKey'>) {
    this.urls = settings.urls.map((url) => url.replace(/\/+$/, ''));
  }

  /** The collection's point count and layout from the first node that answers; undefined if absent. */
  async collection(name: string): Promise<CollectionState | undefined> {
    return this.onAnyNode(`read collection "${name}"`, async (node) => {
      const { exists } = await this.json<{ exists: boolean }>(
        node,
        'GET',
        `/collections/${encodeURIComponent(name)}/exists`,
      );
      if (!exists) return undefined;
      const info = await this.json<Schemas['CollectionInfo']>(
        node,
        'GET',
        `/collections/${encodeURIComponent(name)}`,
      );
      const { params } = info.config;
      return {
        points: info.points_count ?? 0,
        layout: {
          shardNumber: params.shard_number ?? 1,
          replicationFactor: params.replication_factor ?? 1,
          writeConsistencyFactor: params.write_consistency_factor ?? 1,
        },
      };
    });
  }

  /**
   * The first node, in the configured order, that holds an active replica of every shard of the
   * collection: its snapshot is then the whole collection. Throws, naming what each node holds,
   * when none does.
   */
  async nodeHoldingAll(name: string): Promise<string> {
    const findings: string[] = [];
    for (const node of this.urls) {
      try {
        const cluster = await this.json<Schemas['CollectionClusterInfo']>(
          node,
          'GET',
          `/collections/${encodeURIComponent(name)}/cluster`,
        );
        const active = new Set(
          cluster.local_shards
            .filter((shard) => shard.state === 'Active')
            .map((shard) => shard.shard_id),
        );
        const missing = Array.from({ length: cluster.shard_count }, (_, id) => id).filter(
          (id) => !active.has(id),
        );
        if (missing.length === 0) return node;
        findings.push(
          `${displayUrl(node)} lacks shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ` +
            `of ${cluster.shard_count}`,
        );
      } catch (error) {
        findings.push(`${displayUrl(node)}: ${(error as Error).message}`);
      }
    }
    throw new Error(
      `no Qdrant node holds every shard of collection "${name}" (${findings.join('; ')}): a ` +
        'snapshot of one node would miss points. Give every node in QDRANT_URL, or recreate the ' +
        'collection with QDRANT_SHARD_NUMBER=1 so that each replica holds all of it.',
    );
  }

  /** Creates a snapshot on `node` and waits until it is written. */
  create(node: string, name: string): Promise<Schemas['SnapshotDescription']> {
    return this.json(node, 'POST', `/collections/${encodeURIComponent(name)}/snapshots?wait=true`);
  }

  /**
   * Streams a snapshot into `file` and returns its SHA-256, after checking it against the checksum
   * the node reported, when it reported one.
   */
  async download(
    node: string,
    name: string,
    snapshot: Schemas['SnapshotDescription'],
    file: string,
  ): Promise<string> {
    const path = `/collections/${encodeURIComponent(name)}/snapshots/${encodeURIComponent(snapshot.name)}`;
    const response = await this.request(node, 'GET', path);
    if (!response.body)
      throw this.failure(node, `download snapshot ${snapshot.name}`, 'empty body');
    const hash = createHash('sha256');
    const hashing = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        done(null, chunk);
      },
    });
    await pipeline(
      Readable.fromWeb(response.body as ReadableStream<Uint8Array>),
      hashing,
      createWriteStream(file),
    );
    const sha256 = hash.digest('hex');
    if (snapshot.checksum && snapshot.checksum !== sha256) {
      throw this.failure(
        node,
        `download snapshot ${snapshot.name}`,
        `the file's SHA-256 is ${sha256}, the node reported ${snapshot.checksum}`,
      );
    }
    return sha256;
  }

  /** Removes a snapshot from the node's disk, where snapshots would otherwise pile up. */
  async delete(node: string, name: string, snapshot: string): Promise<void> {
    await this.json(
      node,
      'DELETE',
      `/collections/${encodeURIComponent(name)}/snapshots/${encodeURIComponent(snapshot)}?wait=true`,
    );
  }

  /**
   * Recovers collection `name` from a snapshot file, uploaded to `node`, with the snapshot as the
   * source of truth. The node checks the file against `sha256` before using it.
   */
  async upload(node: string, name: string, file: string, sha256: string): Promise<void> {
    const form = new FormData();
    form.append('snapshot', await openAsBlob(file), basename(file));
    const query = new URLSearchParams({ priority: 'snapshot', checksum: sha256, wait: 'true' });
    await this.json(
      node,
      'POST',
      `/collections/${encodeURIComponent(name)}/snapshots/upload?${query.toString()}`,
      form,
    );
  }

  /** `run` on the first node, in the configured order, where it succeeds. */
  private async onAnyNode<T>(operation: string, run: (node: string) => Promise<T>): Promise<T> {
    const failures: string[] = [];
    for (const node of this.urls) {
      try {
        return await run(node);
      } catch (error) {
        failures.push((error as Error).message);
      }
    }
    throw new Error(`Qdrant: ${operation} failed on every node: ${failures.join('; ')}`);
  }

  /** A request whose answer is Qdrant's JSON envelope; resolves with its `result`. */
  private async json<T>(node: string, method: string, path: string, body?: FormData): Promise<T> {
    const response = await this.request(node, method, path, body);
    const envelope = (await response.json()) as { result?: T };
    return envelope.result as T;
  }

  private async request(
    node: string,
    method: string,
    path: string,
    body?: FormData,
  ): Promise<Response> {
    const operation = `${method} ${path.replace(/\?.*$/, '')}`;
    let response: Response;
    try {
      response = await fetch(`${node}${path}`, {
        method,
        body,
        headers: this.settings.apiKey ? { 'api-key': this.settings.apiKey } : {},
        signal: AbortSignal.timeout(SNAPSHOT_TIMEOUT_MS),
      });
    } catch (error) {
      throw this.failure(node, operation, describeError(error));
    }
    if (response.ok) return response;
    const text = await response.text();
    let detail = text.slice(0, 300);
    try {
      const parsed = JSON.parse(text) as { status?: { error?: unknown } };
      if (typeof parsed.status?.error === 'string') detail = parsed.status.error;
    } catch {
      // Not Qdrant's JSON (a proxy's page): its first characters say enough.
    }
    const hint =
      response.status === 401 || response.status === 403 ? ' (check QDRANT_API_KEY)' : '';
    throw this.failure(node, operation, `HTTP ${response.status}: ${detail}${hint}`);
  }

  private failure(node: string, operation: string, reason: string): Error {
    const message = `Qdrant at ${displayUrl(node)}: ${operation} failed: ${reason}`;
    const { apiKey } = this.settings;
    return new Error(apiKey ? message.replaceAll(apiKey, '[redacted]') : message);
  }
}
