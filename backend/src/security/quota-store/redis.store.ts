import { type RedisConnection, unwrap } from '../../redis/redis-connection';
import { QuotaStore } from './quota-store';

/** Quota counters in Redis, so a visitor's limits hold across every task behind the balancer. */
export class RedisQuotaStore extends QuotaStore {
  constructor(private readonly redis: RedisConnection) {
    super();
  }

  async increment(key: string, amount: number, expiresAtMs: number): Promise<number> {
    const counter = this.redis.key('quota', key);
    // One transaction, so a counter never exists without its expiry.
    const [total] = unwrap(
      await this.redis.client
        .multi()
        .incrby(counter, amount)
        .pexpireat(counter, expiresAtMs)
        .exec(),
    );
    return total as number;
  }

  async get(key: string): Promise<number> {
    return Number((await this.redis.client.get(this.redis.key('quota', key))) ?? 0);
  }
}
