import { type INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import type * as StreamsAdapter from '@socket.io/redis-streams-adapter';
import { type Redis, type RedisOptions } from 'ioredis';
import { type Namespace, type Server, type ServerOptions } from 'socket.io';
import { SessionAwareAdapter } from 'socket.io-adapter';
import {
  failFastOptions,
  loadIoRedis,
  reconnectDelayMs,
  type RedisSettings,
} from '../redis/redis-connection';

export interface ChatTransportSettings {
  maxMessageChars: number;
  /** 0: a dropped connection starts a new session. */
  connectionRecoveryMs: number;
  /** Set: Socket.IO servers of every task share events and recoverable sessions through Redis. */
  redis?: RedisSettings;
}

/**
 * How many events the shared stream keeps (about 200 B each in Redis). A connection can only be
 * recovered while the event it last received is still in the stream, so this bounds recovery as
 * much as CONNECTION_RECOVERY_SECONDS does: 100,000 tokens is 50 visitors' answers streaming at
 * 50 tokens/s for 40 s.
 */
const STREAM_MAX_EVENTS = 100_000;

/**
 * Socket.IO server options that depend on configuration. The transport's buffer limit sits well
 * above MAX_MESSAGE_CHARS so that an over-long question reaches the gateway and gets a clear
 * `too_large` error, while a payload far beyond any question is refused by the transport itself.
 *
 * Connection-state recovery keeps a dropped connection's session, and every event sent to it
 * meanwhile, for CONNECTION_RECOVERY_SECONDS: a visitor whose network blinks mid-answer gets the
 * missed tokens on reconnection, once each and in order. With Redis, the Redis Streams adapter
 * is used rather than the pub/sub `@socket.io/redis-adapter`: it is the Redis adapter that
 * supports recovery (sessions and missed events are read back from the stream, by whichever task
 * the visitor reconnects to), and it resumes the stream after a Redis outage instead of losing
 * what was published meanwhile.
 */
export class ChatIoAdapter extends IoAdapter {
  private readonly redisClients: Redis[] = [];

  constructor(
    app: INestApplicationContext,
    private readonly settings: ChatTransportSettings,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): unknown {
    const { maxMessageChars, connectionRecoveryMs, redis } = this.settings;
    return super.createIOServer(port, {
      ...options,
      // Four bytes per character covers any UTF-8 text, plus room for the rest of the envelope.
      maxHttpBufferSize: Math.max(64 * 1024, maxMessageChars * 4 * 2),
      // The widget is embedded on the site owner's pages, which are on other origins.
      cors: { origin: true, credentials: false },
      ...(connectionRecoveryMs > 0 && {
        // Middlewares run again on recovery: the visitor token is checked on every connection.
        connectionStateRecovery: { maxDisconnectionDuration: connectionRecoveryMs },
      }),
      ...(connectionRecoveryMs > 0 &&
        !redis && { adapter: promptlyPrunedSessionAdapter(connectionRecoveryMs) }),
      ...(redis && {
        adapter: loadStreamsAdapter().createAdapter(this.publisher(redis), {
          streamName: `${redis.keyPrefix}socket.io`,
          channelPrefix: `${redis.keyPrefix}socket.io`,
          sessionKeyPrefix: `${redis.keyPrefix}socket.io:session:`,
          maxLen: STREAM_MAX_EVENTS,
          onlyPlaintext: true,
        }),
      }),
    });
  }

  /** Closes the adapter's Redis connections once the server (and so the adapter) is closed. */
  override async close(server: Server): Promise<void> {
    await super.close(server);
    for (const client of this.redisClients) client.disconnect();
  }

  /**
   * The adapter publishes every event before delivering it, so its publishing connection fails
   * fast like the stores' (a Redis outage must not hold tokens back: they are then delivered by
   * this task alone). The connections it duplicates from it block on XREAD and SUBSCRIBE, and
   * instead wait for Redis to come back: failing fast there would make the adapter's read loop
   * retry without pause.
   */
  private publisher(redis: RedisSettings): Redis {
    const track = (client: Redis): Redis => {
      // Failures are the stores' to report (RedisConnection): one log line per outage.
      client.on('error', () => undefined);
      this.redisClients.push(client);
      return client;
    };
    const waiting: RedisOptions = {
      enableOfflineQueue: true,
      maxRetriesPerRequest: null,
      commandTimeout: undefined,
      retryStrategy: reconnectDelayMs,
      // A connection closed while blocked in XREAD may not see its close acknowledged: shutdown
      // need not wait the default 2 s for it.
      disconnectTimeout: 100,
    };
    const { Redis } = loadIoRedis();
    const publisher = new Redis(redis.url, failFastOptions());
    publisher.duplicate = (override?: Partial<RedisOptions>) =>
      track(new Redis(redis.url, { ...waiting, ...override }));
    return track(publisher);
  }
}

/** The Redis Streams adapter, loaded only with REDIS_URL (it and ioredis cost start-up time). */
function loadStreamsAdapter(): typeof StreamsAdapter {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@socket.io/redis-streams-adapter') as typeof StreamsAdapter;
}

/** An event buffered for recovery, as socket.io-adapter 2.5 stores it. */
interface BufferedEvent {
  emittedAt: number;
}

/**
 * Socket.IO's in-memory recovery buffer keeps every event sent (about 700 B each) and prunes it
 * once a minute: at a few thousand tokens a second that is hundreds of megabytes more than the
 * recovery window needs. This prunes every second, so the buffer holds CONNECTION_RECOVERY_SECONDS
 * of events and no more.
 */
export function promptlyPrunedSessionAdapter(windowMs: number): typeof SessionAwareAdapter {
  return class PromptlyPrunedSessionAdapter extends SessionAwareAdapter {
    private readonly pruner: NodeJS.Timeout;

    constructor(nsp: Namespace) {
      super(nsp);
      // The buffer is private to SessionAwareAdapter; its shape is pinned with the exact version.
      const buffer = (this as unknown as { packets: BufferedEvent[] }).packets;
      this.pruner = setInterval(() => {
        const threshold = Date.now() - windowMs;
        let expired = 0;
        while (expired < buffer.length && (buffer[expired]?.emittedAt ?? 0) < threshold) expired++;
        if (expired > 0) buffer.splice(0, expired);
      }, 1000);
      this.pruner.unref();
    }

    override close(): Promise<void> | void {
      clearInterval(this.pruner);
      return super.close();
    }
  };
}
