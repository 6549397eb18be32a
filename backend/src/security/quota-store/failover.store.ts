import { type RedisConnection } from '../../redis/redis-connection';
import { QuotaStore } from './quota-store';

/**
 * Quota counters in Redis, and in this task's memory while Redis is unreachable: limits are then
 * enforced per task rather than not at all, and a Redis outage never refuses a visitor.
 */
export class FailoverQuotaStore extends QuotaStore {
  constructor(
    private readonly shared: QuotaStore,
    private readonly local: QuotaStore,
    private readonly redis: RedisConnection,
  ) {
    super();
  }

  increment(key: string, amount: number, expiresAtMs: number): Promise<number> {
    return this.redis.orElse(
      () => this.shared.increment(key, amount, expiresAtMs),
      () => this.local.increment(key, amount, expiresAtMs),
    );
  }

  get(key: string): Promise<number> {
    return this.redis.orElse(
      () => this.shared.get(key),
      () => this.local.get(key),
    );
  }
}
