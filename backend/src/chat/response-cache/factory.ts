import { Logger } from '@nestjs/common';
import { type AppConfig } from '../../config/app-config';
import { type RedisConnection } from '../../redis/redis-connection';
import { createStateStore, type StateBackends } from '../../redis/state-backend';
import { FailOpenResponseCache } from './fail-open.cache';
import { MemoryResponseCache } from './memory.cache';
import { RedisResponseCache } from './redis.cache';
import { type ResponseCache } from './response-cache';

type CacheSettings = AppConfig['chat']['responseCache'];

const logger = new Logger('ResponseCache');

/**
 * Both fail open: a cache that cannot be reached is a miss and the answer costs a model call. A
 * Redis failure is reported to the connection, which logs an outage once.
 */
const BACKENDS: StateBackends<ResponseCache, CacheSettings> = {
  memory: ({ maxEntries, ttlMs }) =>
    new FailOpenResponseCache(new MemoryResponseCache({ maxEntries, ttlMs }), (error, operation) =>
      logger.warn(`Response cache ${operation} failed: ${String(error)}`),
    ),
  redis: ({ ttlMs }, redis) =>
    new FailOpenResponseCache(new RedisResponseCache(redis, ttlMs), (error) =>
      redis.reportFailure(error),
    ),
};

export function createResponseCache(
  config: AppConfig,
  redis: RedisConnection | undefined,
): ResponseCache {
  return createStateStore(BACKENDS, config.chat.responseCache, redis);
}
