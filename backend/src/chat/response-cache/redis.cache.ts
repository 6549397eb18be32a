import { createHash } from 'node:crypto';
import { type RedisConnection } from '../../redis/redis-connection';
import { type CachedAnswer, ResponseCache, type ResponseCacheKey } from './response-cache';

/**
 * Finished first-turn answers in Redis, shared by every task. Entries expire after the TTL;
 * RESPONSE_CACHE_MAX_ENTRIES does not apply here, Redis' own `maxmemory` policy bounds the size.
 * Every command may throw: FailOpenResponseCache turns a failure into a miss.
 */
export class RedisResponseCache extends ResponseCache {
  constructor(
    private readonly redis: RedisConnection,
    private readonly ttlMs: number,
  ) {
    super();
  }

  async get(key: ResponseCacheKey): Promise<CachedAnswer | undefined> {
    const json = await this.redis.client.get(this.keyOf(key));
    return json === null ? undefined : (JSON.parse(json) as CachedAnswer);
  }

  async set(key: ResponseCacheKey, answer: CachedAnswer): Promise<void> {
    await this.redis.client.set(this.keyOf(key), JSON.stringify(answer), 'PX', this.ttlMs);
  }

  /** Hashed: questions are visitor text of any length, and should not be readable as key names. */
  private keyOf(key: ResponseCacheKey): string {
    const digest = createHash('sha256')
      .update(JSON.stringify([key.provider, key.model, key.indexVersion, key.question]))
      .digest('base64url');
    return this.redis.key('response-cache', digest);
  }
}
