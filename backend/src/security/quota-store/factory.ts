import { type RedisConnection } from '../../redis/redis-connection';
import { createStateStore, type StateBackends } from '../../redis/state-backend';
import { FailoverQuotaStore } from './failover.store';
import { MemoryQuotaStore } from './memory.store';
import { type QuotaStore } from './quota-store';
import { RedisQuotaStore } from './redis.store';

/** In Redis, counters fall back to this task's memory while Redis is unreachable. */
const BACKENDS: StateBackends<QuotaStore, void> = {
  memory: () => new MemoryQuotaStore(),
  redis: (_settings, redis) =>
    new FailoverQuotaStore(new RedisQuotaStore(redis), new MemoryQuotaStore(), redis),
};

export function createQuotaStore(redis: RedisConnection | undefined): QuotaStore {
  return createStateStore(BACKENDS, undefined, redis);
}
