/**
 * What one fake Qdrant node keeps of its own: the shards it holds and the snapshots on its disk.
 * The semantics are those documented in qdrant-server.ts.
 */
import { createHash } from 'node:crypto';
import { type Schemas } from '@qdrant/js-client-rest';
import { badInput, QdrantError } from './qdrant-matching';
import {
  decodeSnapshot,
  encodeSnapshot,
  shardOf,
  type StoredCollection,
} from './qdrant-snapshot-files';

interface StoredSnapshot {
  description: Schemas['SnapshotDescription'];
  bytes: Buffer;
}

export class NodeSnapshots {
  /** By collection, then by snapshot name. */
  private readonly snapshots = new Map<string, Map<string, StoredSnapshot>>();

  constructor(
    private readonly peerId: number,
    private readonly localShards: number[] | undefined,
  ) {}

  /** GET /collections/{name}/cluster. */
  clusterInfo(collection: StoredCollection): Schemas['CollectionClusterInfo'] {
    const shardCount = collection.layout.shardNumber;
    const held = this.shardsHeld(shardCount);
    const pointsIn = (shard: number) =>
      [...collection.points.values()].filter((point) => shardOf(point.id, shardCount) === shard)
        .length;
    return {
      peer_id: this.peerId,
      shard_count: shardCount,
      local_shards: held.map((shard) => ({
        shard_id: shard,
        points_count: pointsIn(shard),
        state: 'Active',
      })),
      remote_shards: Array.from({ length: shardCount }, (_, shard) => shard)
        .filter((shard) => !held.includes(shard))
        .map((shard) => ({ shard_id: shard, peer_id: this.peerId + 1, state: 'Active' })),
      shard_transfers: [],
    };
  }

  /** POST /collections/{name}/snapshots: a snapshot of the shards this node holds. */
  create(name: string, collection: StoredCollection): Schemas['SnapshotDescription'] {
    const bytes = encodeSnapshot(collection, this.shardsHeld(collection.layout.shardNumber));
    const created = new Date();
    const stamp = created.toISOString().replace(/[:.]/g, '-');
    const description: Schemas['SnapshotDescription'] = {
      name: `${name}-${this.peerId}-${stamp}.snapshot`,
      creation_time: created.toISOString().slice(0, 19),
      size: bytes.length,
      checksum: createHash('sha256').update(bytes).digest('hex'),
    };
    const mine = this.snapshots.get(name) ?? new Map<string, StoredSnapshot>();
    mine.set(description.name, { description, bytes });
    this.snapshots.set(name, mine);
    return description;
  }

  list(name: string): Schemas['SnapshotDescription'][] {
    return [...(this.snapshots.get(name)?.values() ?? [])].map((item) => item.description);
  }

  /** GET …/snapshots/{snapshot}: the file's bytes. */
  read(collection: string, name: string): Buffer {
    return this.find(collection, name).bytes;
  }

  delete(collection: string, name: string): boolean {
    this.find(collection, name);
    return this.snapshots.get(collection)?.delete(name) ?? false;
  }

  /**
   * POST …/snapshots/upload: a missing collection is created from the snapshot; an existing one
   * takes the snapshot's points only with priority `snapshot` or `no_sync`.
   */
  recover(
    collections: Map<string, StoredCollection>,
    name: string,
    bytes: Buffer,
    query: Record<string, string>,
  ): boolean {
    const expected = query.checksum;
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (expected !== undefined && expected !== actual) {
      throw badInput(`Snapshot checksum mismatch: expected ${expected}, got ${actual}`);
    }
    const snapshot = decodeSnapshot(bytes);
    if (!snapshot) throw badInput('the uploaded file is not a snapshot');
    const priority = query.priority ?? 'replica';
    if (!['replica', 'snapshot', 'no_sync'].includes(priority)) {
      throw badInput(`unknown variant \`${priority}\`, expected one of replica, snapshot, no_sync`);
    }
    const existing = collections.get(name);
    if (!existing) {
      collections.set(name, snapshot);
      return true;
    }
    if (
      JSON.stringify(existing.dense) !== JSON.stringify(snapshot.dense) ||
      JSON.stringify(existing.sparse) !== JSON.stringify(snapshot.sparse)
    ) {
      throw badInput('Snapshot is not compatible with existing collection: vectors differ');
    }
    // With the default priority the replicas already there are the source of truth.
    if (priority === 'replica') return true;
    existing.points = snapshot.points;
    existing.payloadSchema = { ...existing.payloadSchema, ...snapshot.payloadSchema };
    return true;
  }

  private shardsHeld(shardCount: number): number[] {
    const all = Array.from({ length: shardCount }, (_, shard) => shard);
    return this.localShards ? all.filter((shard) => this.localShards!.includes(shard)) : all;
  }

  private find(collection: string, name: string): StoredSnapshot {
    const found = this.snapshots.get(collection)?.get(name);
    if (!found) throw new QdrantError(404, `Not found: Snapshot ${name} not found`);
    return found;
  }
}
