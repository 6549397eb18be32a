/**
 * The application on a real redis-server (Debian's package, started by test/support/redis.ts)
 * that is killed mid-conversation and then comes back, answering through a local server that
 * speaks OpenAI's streaming wire protocol, with real socket.io-clients as visitors.
 */
import { type HealthReport } from '../src/health/readiness';
import { RedisConnection } from '../src/redis/redis-connection';
import { type FakeOpenAi, startFakeOpenAi, withCondense } from './fakes/openai-server';
import { ChatClient, nextEvent, type RunningApp, startApp, fakeOpenAiEnv } from './support/app';
import { RedisServer, uniquePrefix, untilReady } from './support/redis';

describe('a Redis outage mid-conversation', () => {
  let redis: RedisServer;
  let openAi: FakeOpenAi;
  let running: RunningApp;

  const health = async (): Promise<{ httpStatus: number; report: HealthReport }> => {
    const response = await fetch(`${running.url}/health`);
    return { httpStatus: response.status, report: (await response.json()) as HealthReport };
  };

  beforeAll(async () => {
    redis = await RedisServer.start();
    openAi = await startFakeOpenAi();
    running = await startApp({
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: uniquePrefix(),
      ...fakeOpenAiEnv(openAi, 'sk-test-outage'),
      QUOTA_QUESTIONS_PER_MINUTE: '3',
    });
  });
  afterAll(async () => {
    await running.stop();
    await openAi.close();
    await redis.stop();
  });

  it('finishes the answer, keeps chatting degraded, says so on /health, and recovers', async () => {
    expect((await health()).report.dependencies.state).toEqual({ status: 'ok', store: 'redis' });
    const client = await ChatClient.connect(running.url);
    openAi.setScript(withCondense({ kind: 'stream', tokens: ['Use ', 'Pulumi.'] }));
    const first = await client.askAndWait({ text: 'How do I deploy?' });
    expect(first.text).toBe('Use Pulumi.');

    // Redis dies while the second answer streams.
    const tokens = Array.from({ length: 20 }, (_, index) => `w${index} `);
    openAi.setScript(withCondense({ kind: 'stream', tokens, tokenDelayMs: 30 }));
    const accepted = await client.ask({
      conversationId: first.accepted.conversationId,
      text: 'Tell me more',
    });
    if (!accepted.ok) throw new Error(accepted.error.message);
    await nextEvent(client.socket, 'token');
    await redis.stop();
    const second = await client.answerOf(accepted.messageId);
    expect(second.tokens).toEqual(tokens);
    expect(second.done?.cancelled).toBe(false);

    const degraded = await health();
    expect(degraded.httpStatus).toBe(200);
    expect(degraded.report.status).toBe('degraded');
    expect(degraded.report.dependencies.state).toMatchObject({
      status: 'degraded',
      store: 'redis',
    });

    // Chat goes on: the same conversation, without Redis, and the quota still holds (this task
    // counts it alone now: the third question of the minute is its first).
    openAi.setScript(withCondense({ kind: 'stream', tokens: ['Still ', 'here.'] }));
    const third = await client.askAndWait({
      conversationId: first.accepted.conversationId,
      text: 'And how do I tear it down?',
    });
    expect(third.text).toBe('Still here.');
    expect(third.done?.cancelled).toBe(false);
    for (let i = 0; i < 2; i++) await client.askAndWait({ text: `How do I deploy, take ${i}?` });
    expect(await client.ask({ text: 'One too many' })).toMatchObject({
      ok: false,
      error: { code: 'rate_limited' },
    });
    client.close();

    await redis.restart();
    const connection = running.app.get(RedisConnection);
    await untilReady(connection);
    expect((await health()).report).toMatchObject({
      status: 'ok',
      dependencies: { state: { status: 'ok', store: 'redis' } },
    });
    const again = await ChatClient.connect(running.url);
    openAi.setScript(withCondense({ kind: 'stream', tokens: ['Back.'] }));
    expect((await again.askAndWait({ text: 'How do I tear down the stack?' })).text).toBe('Back.');
    again.close();
  });
});
