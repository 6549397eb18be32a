import { LRUCache } from 'lru-cache';
import { type CachedAnswer, ResponseCache, type ResponseCacheKey } from './response-cache';

export interface ResponseCacheLimits {
  /** Answers kept; the least recently used go first. */
  maxEntries: number;
  ttlMs: number;
}

interface Entry {
  answer: CachedAnswer;
  indexVersion: number;
}

/** Answers cached in this process: bounded in count (LRU) and age. */
export class MemoryResponseCache extends ResponseCache {
  private readonly entries: LRUCache<string, Entry>;
  /** The newest index version seen; entries of older versions can never be hit again. */
  private latestVersion = 0;

  /** `now` is the clock the TTL is measured on (lru-cache's `performance.now()` by default). */
  constructor(limits: ResponseCacheLimits, now?: () => number) {
    super();
    this.entries = new LRUCache<string, Entry>({
      max: limits.maxEntries,
      ttl: limits.ttlMs,
      // Read the clock on every check: its default 1 ms memo would misread a test's clock.
      ttlResolution: 0,
      ...(now && { perf: { now } }),
    });
  }

  get(key: ResponseCacheKey): Promise<CachedAnswer | undefined> {
    this.observeVersion(key.indexVersion);
    return Promise.resolve(this.entries.get(keyOf(key))?.answer);
  }

  set(key: ResponseCacheKey, answer: CachedAnswer): Promise<void> {
    this.observeVersion(key.indexVersion);
    // An answer that finished after the index changed was built from the old index: never serve it.
    if (key.indexVersion < this.latestVersion) return Promise.resolve();
    this.entries.set(keyOf(key), { answer, indexVersion: key.indexVersion });
    return Promise.resolve();
  }

  /** The number of answers held, for tests and diagnostics. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Drops every entry of an older index version as soon as a newer one is seen: the version is in
   * the key, so those entries are unreachable and would only take room until LRU reached them.
   */
  private observeVersion(indexVersion: number): void {
    if (indexVersion <= this.latestVersion) return;
    this.latestVersion = indexVersion;
    this.entries.purgeStale();
    const outdated = [...this.entries.entries()]
      .filter(([, entry]) => entry.indexVersion < indexVersion)
      .map(([id]) => id);
    for (const id of outdated) this.entries.delete(id);
  }
}

function keyOf({ question, indexVersion, provider, model }: ResponseCacheKey): string {
  // JSON keeps the parts apart whatever characters the question holds.
  return JSON.stringify([provider, model, indexVersion, question]);
}
