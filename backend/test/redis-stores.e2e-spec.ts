/**
 * The Redis stores against a real redis-server (Debian's package, started per file by
 * test/support/redis.ts), including what they do when that server is killed and comes back.
 */
import { FailoverConversationStore } from '../src/chat/conversation-store/failover.store';
import { MemoryConversationStore } from '../src/chat/conversation-store/memory.store';
import { RedisConversationStore } from '../src/chat/conversation-store/redis.store';
import { FailOpenResponseCache } from '../src/chat/response-cache/fail-open.cache';
import { RedisResponseCache } from '../src/chat/response-cache/redis.cache';
import { type ResponseCacheKey } from '../src/chat/response-cache/response-cache';
import { RedisConnection } from '../src/redis/redis-connection';
import { FailoverQuotaStore } from '../src/security/quota-store/failover.store';
import { MemoryQuotaStore } from '../src/security/quota-store/memory.store';
import { RedisQuotaStore } from '../src/security/quota-store/redis.store';
import { RedisServer, uniquePrefix, untilReady } from './support/redis';

const exchange = (n: number) => ({ messageId: `m${n}`, question: `q${n}`, answer: `a${n}` });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('Redis stores on a real redis-server', () => {
  let server: RedisServer;
  let redis: RedisConnection;
  let keyPrefix: string;

  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(() => server.stop());
  beforeEach(async () => {
    keyPrefix = uniquePrefix();
    redis = new RedisConnection({ url: server.url, keyPrefix });
    await untilReady(redis);
  });
  afterEach(() => redis.onApplicationShutdown());

  describe('conversations', () => {
    it('keeps the latest turns, each answer once, and finds an answer’s conversation', async () => {
      const store = new RedisConversationStore(redis, { maxTurns: 2, ttlMs: 60_000 });
      const id = await store.create();
      expect(await store.history(id)).toEqual([]);
      for (const n of [1, 2, 3]) await store.append(id, exchange(n));
      await store.append(id, exchange(3));

      expect(await store.history(id)).toEqual([
        { role: 'user', content: 'q2' },
        { role: 'assistant', content: 'a2' },
        { role: 'user', content: 'q3' },
        { role: 'assistant', content: 'a3' },
      ]);
      expect(await store.conversationOf('m3')).toBe(id);
      expect(await store.conversationOf('unknown')).toBeUndefined();
      expect(await store.history('00000000-0000-4000-8000-000000000000')).toBeUndefined();
    });

    it('forgets a conversation left idle for its TTL, and keeps one in use alive', async () => {
      const store = new RedisConversationStore(redis, { maxTurns: 5, ttlMs: 300 });
      const idle = await store.create();
      const used = await store.create();
      await store.append(used, exchange(1));
      for (let i = 0; i < 3; i++) {
        await sleep(150);
        expect(await store.history(used)).toHaveLength(2);
      }
      expect(await store.history(idle)).toBeUndefined();
      expect(await store.conversationOf('m1')).toBe(used);
    });

    it('is shared: a second connection (another task) reads what the first wrote', async () => {
      const limits = { maxTurns: 5, ttlMs: 60_000 };
      const other = new RedisConnection({ url: server.url, keyPrefix });
      try {
        const id = await new RedisConversationStore(redis, limits).create();
        await new RedisConversationStore(redis, limits).append(id, exchange(1));
        await untilReady(other);
        expect(await new RedisConversationStore(other, limits).history(id)).toEqual([
          { role: 'user', content: 'q1' },
          { role: 'assistant', content: 'a1' },
        ]);
      } finally {
        await other.onApplicationShutdown();
      }
    });
  });

  it('counts quotas in windows that expire', async () => {
    const quotas = new RedisQuotaStore(redis);
    const windowEnd = Date.now() + 300;
    expect(await quotas.increment('visitor:v1:minute', 1, windowEnd)).toBe(1);
    expect(await quotas.increment('visitor:v1:minute', 2, windowEnd)).toBe(3);
    expect(await quotas.get('visitor:v1:minute')).toBe(3);
    expect(await quotas.get('visitor:v2:minute')).toBe(0);
    await sleep(400);
    expect(await quotas.get('visitor:v1:minute')).toBe(0);
  });

  it('caches answers per question, index version and model', async () => {
    const cache = new RedisResponseCache(redis, 60_000);
    const key: ResponseCacheKey = {
      question: 'how do i deploy',
      indexVersion: 3,
      provider: 'openai',
      model: 'gpt-test',
    };
    const answer = { answer: 'Run pulumi up.', sources: [] };
    await cache.set(key, answer);
    expect(await cache.get(key)).toEqual(answer);
    expect(await cache.get({ ...key, indexVersion: 4 })).toBeUndefined();
    expect(await cache.get({ ...key, model: 'gpt-other' })).toBeUndefined();
  });

  it('keeps working on this task’s memory while Redis is down, and uses Redis again after', async () => {
    const limits = { maxTurns: 5, maxConversations: 100, ttlMs: 60_000 };
    const conversations = new FailoverConversationStore(
      new RedisConversationStore(redis, limits),
      new MemoryConversationStore(limits),
      redis,
    );
    const quotas = new FailoverQuotaStore(
      new RedisQuotaStore(redis),
      new MemoryQuotaStore(),
      redis,
    );
    // As the response cache's factory builds it: a Redis failure is a miss.
    const cache = new FailOpenResponseCache(new RedisResponseCache(redis, 60_000), (error) =>
      redis.reportFailure(error),
    );
    const before = await conversations.create();
    await conversations.append(before, exchange(1));
    await quotas.increment('ip:1', 1, Date.now() + 60_000);

    await server.stop();
    await sleep(50);
    expect(redis.available).toBe(false);
    // The conversation in Redis cannot be read: it goes on without its earlier turns.
    expect(await conversations.history(before)).toEqual([]);
    await conversations.append(before, exchange(2));
    expect(await conversations.history(before)).toHaveLength(2);
    const during = await conversations.create();
    await conversations.append(during, exchange(3));
    expect(await conversations.conversationOf('m3')).toBe(during);
    // Quotas are still counted, by this task alone.
    expect(await quotas.increment('ip:1', 1, Date.now() + 60_000)).toBe(1);
    expect(await quotas.increment('ip:1', 1, Date.now() + 60_000)).toBe(2);
    const key = { question: 'q', indexVersion: 1, provider: 'openai', model: 'm' };
    await expect(cache.set(key, { answer: 'a', sources: [] })).resolves.toBeUndefined();
    await expect(cache.get(key)).resolves.toBeUndefined();

    await server.restart();
    await untilReady(redis);
    expect(redis.available).toBe(true);
    const after = await conversations.create();
    await conversations.append(after, exchange(4));
    expect(await new RedisConversationStore(redis, limits).history(after)).toHaveLength(2);
    expect(await quotas.increment('ip:2', 5, Date.now() + 60_000)).toBe(5);
    expect(await new RedisQuotaStore(redis).get('ip:2')).toBe(5);
  });
});
