import { Logger, type OnApplicationShutdown } from '@nestjs/common';
import type * as IoRedis from 'ioredis';
import { type Redis, type RedisOptions } from 'ioredis';

export interface RedisSettings {
  url: string;
  keyPrefix: string;
}

/** Between reconnection attempts, growing to a ceiling so a long outage costs little. */
export function reconnectDelayMs(attempt: number): number {
  return Math.min(attempt * 200, 2000);
}

/**
 * ioredis, loaded when a connection is first made: without REDIS_URL the server never needs it,
 * and loading it costs start-up time.
 */
export function loadIoRedis(): typeof IoRedis {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('ioredis') as typeof IoRedis;
}

/**
 * Options for connections a visitor waits on. Commands fail at once while Redis is unreachable
 * (no offline queue) and after a second when it hangs, so every caller can fall back to its
 * in-process degraded mode instead of holding an answer hostage.
 */
export function failFastOptions(): RedisOptions {
  return {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 1000,
    connectTimeout: 2000,
    retryStrategy: reconnectDelayMs,
  };
}

/**
 * The Redis connection shared by the conversation store, the quota store and the response cache.
 * Whoever uses it reports failures here, so an outage is logged once when it starts and once when
 * it ends, however many commands fail in between. The URL (it holds the AUTH token) never reaches
 * a log.
 */
export class RedisConnection implements OnApplicationShutdown {
  readonly client: Redis;
  private readonly logger = new Logger('Redis');
  private outage = false;

  constructor(private readonly settings: RedisSettings) {
    this.client = new (loadIoRedis().Redis)(settings.url, failFastOptions());
    this.client.on('error', (error: Error) => this.reportFailure(error));
    this.client.on('ready', () => {
      if (!this.outage) return;
      this.outage = false;
      this.logger.log('Redis is back: shared state restored');
    });
  }

  /** Whether commands can be sent now; `/health` reports the chat as degraded otherwise. */
  get available(): boolean {
    return this.client.status === 'ready';
  }

  /** A key in LoreChat's namespace, so one Redis can serve several installations. */
  key(...parts: string[]): string {
    return this.settings.keyPrefix + parts.join(':');
  }

  /**
   * Runs commands against Redis and, when they fail, reports the outage and returns what the
   * in-process `fallback` gives instead: how every store keeps chat working while Redis is away.
   */
  async orElse<T>(commands: () => Promise<T>, fallback: () => T | Promise<T>): Promise<T> {
    try {
      return await commands();
    } catch (error) {
      this.reportFailure(error);
      return fallback();
    }
  }

  /** Logs the start of an outage; the callers have already fallen back. */
  reportFailure(error: unknown): void {
    if (this.outage) return;
    this.outage = true;
    this.logger.warn(
      `Redis unavailable, chat continues degraded on this task's memory: ${describe(error)}`,
    );
  }

  async onApplicationShutdown(): Promise<void> {
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }
}

/** The replies of a MULTI, or the first error among them (a failed EXEC yields null). */
export function unwrap(results: [Error | null, unknown][] | null): unknown[] {
  if (!results) throw new Error('Redis transaction aborted');
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
