import { type CachedAnswer, ResponseCache, type ResponseCacheKey } from './response-cache';

/**
 * A cache that can fail (a remote cache down) costs a model call, never the answer: a lookup that
 * fails is a miss and a store that fails is skipped, after `onFailure` has heard of it.
 */
export class FailOpenResponseCache extends ResponseCache {
  constructor(
    private readonly inner: ResponseCache,
    private readonly onFailure: (error: unknown, operation: 'lookup' | 'store') => void,
  ) {
    super();
  }

  async get(key: ResponseCacheKey): Promise<CachedAnswer | undefined> {
    try {
      return await this.inner.get(key);
    } catch (error) {
      this.onFailure(error, 'lookup');
      return undefined;
    }
  }

  async set(key: ResponseCacheKey, answer: CachedAnswer): Promise<void> {
    try {
      await this.inner.set(key, answer);
    } catch (error) {
      this.onFailure(error, 'store');
    }
  }
}
