/**
 * The fake Qdrant's snapshot files. A real snapshot is a tar archive of a node's shard data; the
 * fake's is JSON of the same content (the collection's configuration and the points of the shards
 * the node holds). LoreChat never looks inside a snapshot: it moves it as opaque bytes checked by
 * their SHA-256, which is all this format has to support.
 */
import { type Schemas } from '@qdrant/js-client-rest';

export interface CollectionLayout {
  shardNumber: number;
  replicationFactor: number;
  writeConsistencyFactor: number;
}

export interface StoredPoint {
  id: string | number;
  dense: Map<string, number[]>;
  sparse: Map<string, Schemas['SparseVector']>;
  payload: Record<string, unknown>;
  version: number;
}

export interface StoredCollection {
  dense: Record<string, Schemas['VectorParams']>;
  sparse: Record<string, Schemas['SparseVectorParams']>;
  payloadSchema: Record<string, Schemas['PayloadSchemaType']>;
  layout: CollectionLayout;
  /** By normalised id. */
  points: Map<string, StoredPoint>;
}

const FORMAT = 'fake-qdrant-snapshot/1';

interface SnapshotFile {
  format: typeof FORMAT;
  collection: Omit<StoredCollection, 'points'>;
  points: {
    id: string | number;
    dense: [string, number[]][];
    sparse: [string, Schemas['SparseVector']][];
    payload: Record<string, unknown>;
    version: number;
  }[];
}

/**
 * The shard a point lives in under automatic sharding. Qdrant hashes the id; any stable hash does
 * here, as only which node holds which points matters.
 */
export function shardOf(id: string | number, shardCount: number): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(String(id), 'utf8')) hash = Math.imul(hash ^ byte, 0x01000193);
  return (hash >>> 0) % shardCount;
}

/** A snapshot of the shards in `shards`: what a node holding just those would write. */
export function encodeSnapshot(collection: StoredCollection, shards: number[]): Buffer {
  const { points, ...config } = collection;
  const file: SnapshotFile = {
    format: FORMAT,
    collection: structuredClone(config),
    points: [...points.values()]
      .filter((point) => shards.includes(shardOf(point.id, collection.layout.shardNumber)))
      .map((point) => ({
        id: point.id,
        dense: [...point.dense],
        sparse: [...point.sparse],
        payload: point.payload,
        version: point.version,
      })),
  };
  return Buffer.from(JSON.stringify(file), 'utf8');
}

/** The collection a snapshot holds, or undefined when the bytes are not one of these snapshots. */
export function decodeSnapshot(bytes: Buffer): StoredCollection | undefined {
  let file: SnapshotFile;
  try {
    file = JSON.parse(bytes.toString('utf8')) as SnapshotFile;
  } catch {
    return undefined;
  }
  if (file?.format !== FORMAT) return undefined;
  return {
    ...file.collection,
    points: new Map(
      file.points.map((point) => [
        String(point.id),
        {
          id: point.id,
          dense: new Map(point.dense),
          sparse: new Map(point.sparse),
          payload: point.payload,
          version: point.version,
        },
      ]),
    ),
  };
}
