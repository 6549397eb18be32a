import { type CachedAnswer, ResponseCache, type ResponseCacheKey } from './response-cache';

export interface ResponseCacheLimits {
  /** Answers kept; the least recently used go first. */
  maxEntries: number;
  ttlMs: number;
}

interface Entry {
  answer: CachedAnswer;
  indexVersion: number;
  storedAt: number;
}

/** Answers cached in this process: bounded in count (LRU) and age. */
export class MemoryResponseCache extends ResponseCache {
  // A Map iterates in insertion order; re-inserting on use keeps the least recently used first.
  private readonly entries = new Map<string, Entry>();
  /** The newest index version seen; entries of older versions can never be hit again. */
  private latestVersion = 0;

  constructor(
    private readonly limits: ResponseCacheLimits,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  get(key: ResponseCacheKey): Promise<CachedAnswer | undefined> {
    this.observeVersion(key.indexVersion);
    const id = keyOf(key);
    const entry = this.entries.get(id);
    if (!entry) return Promise.resolve(undefined);
    this.entries.delete(id);
    if (this.now() - entry.storedAt > this.limits.ttlMs) return Promise.resolve(undefined);
    this.entries.set(id, entry);
    return Promise.resolve(entry.answer);
  }

  set(key: ResponseCacheKey, answer: CachedAnswer): Promise<void> {
    this.observeVersion(key.indexVersion);
    // An answer that finished after the index changed was built from the old index: never serve it.
    if (key.indexVersion < this.latestVersion) return Promise.resolve();
    const id = keyOf(key);
    this.entries.delete(id);
    while (this.entries.size >= this.limits.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
    this.entries.set(id, { answer, indexVersion: key.indexVersion, storedAt: this.now() });
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
    for (const [id, entry] of this.entries) {
      if (entry.indexVersion < indexVersion) this.entries.delete(id);
    }
  }
}

function keyOf({ question, indexVersion, provider, model }: ResponseCacheKey): string {
  // JSON keeps the parts apart whatever characters the question holds.
  return JSON.stringify([provider, model, indexVersion, question]);
}
