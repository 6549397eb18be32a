import { type QdrantSettings } from '../../src/config/app-config';

/** QdrantStore settings as the configuration makes them by default, for the given node URLs. */
export function qdrantSettings(
  urls: string | string[],
  overrides: Partial<QdrantSettings> = {},
): QdrantSettings {
  return {
    urls: typeof urls === 'string' ? [urls] : urls,
    collection: 'lorechat_test',
    timeoutMs: 10_000,
    replication: { shardNumber: 1, replicationFactor: 1, writeConsistencyFactor: 1 },
    ...overrides,
  };
}
