import { type RedisConnection } from './redis-connection';

/**
 * How a store of shared state is built, one line per backend: `redis` when REDIS_URL is set (every
 * task shares it), `memory` otherwise (this process alone). Each store's folder has its table.
 */
export interface StateBackends<Store, Settings> {
  memory(settings: Settings): Store;
  redis(settings: Settings, redis: RedisConnection): Store;
}

/** The line of `backends` the deployment picked: Redis when there is a connection to it. */
export function createStateStore<Store, Settings>(
  backends: StateBackends<Store, Settings>,
  settings: Settings,
  redis: RedisConnection | undefined,
): Store {
  return redis ? backends.redis(settings, redis) : backends.memory(settings);
}
