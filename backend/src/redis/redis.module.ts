import { type DynamicModule, Global, Module } from '@nestjs/common';
import { type AppConfig } from '../config/app-config';
import { RedisConnection } from './redis-connection';

/**
 * Provides the shared RedisConnection when REDIS_URL is set, and nothing otherwise: the stores'
 * factories inject it as optional and keep everything in memory without it.
 */
@Global()
@Module({})
export class RedisModule {
  static forRoot(config: AppConfig): DynamicModule {
    const { redis } = config;
    const providers = redis
      ? [{ provide: RedisConnection, useFactory: () => new RedisConnection(redis) }]
      : [];
    return { module: RedisModule, providers, exports: providers.map(({ provide }) => provide) };
  }
}

/** How a factory asks for the connection that may not exist. */
export const OPTIONAL_REDIS = { token: RedisConnection, optional: true } as const;
