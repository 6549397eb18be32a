import { createHash } from 'node:crypto';
import { type CachedAnswer, ResponseCache, type ResponseCacheKey } from '../chat/response-cache';
import { type RedisConnection } from './redis-connection';

/**
 * Finished first-turn answers in Redis, shared by every task. Entries expire after the TTL;
 * RESPONSE_CACHE_MAX_ENTRIES does not apply here, Redis' own `maxmemory` policy bounds the size.
 */
export class RedisResponseCache extends ResponseCache {
  constructor(
    private readonly redis: RedisConnection,
    private readonly ttlMs: number,
  ) {
    super();
  }

  /** A miss while Redis is away: the answer then costs a model call, never an error. */
  async get(key: ResponseCacheKey): Promise<CachedAnswer | undefined> {
    try {
      const json = await this.redis.client.get(this.keyOf(key));
      return json === null ? undefined : (JSON.parse(json) as CachedAnswer);
    } catch (error) {
      this.redis.reportFailure(error);
      return undefined;
    }
  }

  async set(key: ResponseCacheKey, answer: CachedAnswer): Promise<void> {
    try {
      await this.redis.client.set(this.keyOf(key), JSON.stringify(answer), 'PX', this.ttlMs);
    } catch (error) {
      this.redis.reportFailure(error);
    }
  }

  /** Hashed: questions are visitor text of any length, and should not be readable as key names. */
  private keyOf(key: ResponseCacheKey): string {
    const digest = createHash('sha256')
      .update(JSON.stringify([key.provider, key.model, key.indexVersion, key.question]))
      .digest('base64url');
    return this.redis.key('response-cache', digest);
  }
}
