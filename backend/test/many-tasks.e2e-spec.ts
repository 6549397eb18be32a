/**
 * Several tasks behind a load balancer, as ECS runs them: two real applications sharing one real
 * redis-server (Debian's package, started by test/support/redis.ts) and answering through a local
 * server that speaks OpenAI's streaming wire protocol. The load balancer is a TCP proxy whose
 * target the test switches, the way an ALB sends a reconnecting visitor to whichever task it
 * likes. Visitors are real socket.io-clients.
 */
import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { type FakeOpenAi, startFakeOpenAi, withCondense } from './fakes/openai-server';
import {
  ChatClient,
  nextEvent,
  fakeOpenAiEnv,
  requestVisitorToken,
  type RunningApp,
  startApp,
  visitorToken,
} from './support/app';
import { RedisServer, uniquePrefix } from './support/redis';

/** A stand-in for the ALB: new connections go to `target`; open ones stay where they are. */
class SwitchingProxy {
  target: URL;
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();

  constructor(target: string) {
    this.target = new URL(target);
    this.server = createServer((client) => {
      const upstream = connect(Number(this.target.port), this.target.hostname);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  async listen(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    this.server.close();
    await once(this.server, 'close');
  }
}

const slowAnswer = (count: number) => ({
  kind: 'stream' as const,
  tokens: Array.from({ length: count }, (_, index) => `w${index} `),
  tokenDelayMs: 40,
});

describe('many tasks sharing one Redis', () => {
  let redis: RedisServer;
  let openAi: FakeOpenAi;
  let taskA: RunningApp | undefined;
  let taskB: RunningApp;

  const start = (keyPrefix: string, env: NodeJS.ProcessEnv = {}) =>
    startApp({
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: keyPrefix,
      ...fakeOpenAiEnv(openAi, 'sk-test-many-tasks'),
      RESPONSE_CACHE_ENABLED: 'false',
      ...env,
    });

  beforeAll(async () => {
    redis = await RedisServer.start();
    openAi = await startFakeOpenAi();
  });
  afterAll(async () => {
    await openAi.close();
    await redis.stop();
  });
  afterEach(async () => {
    await taskA?.stop();
    await taskB.stop();
  });

  it('continues a conversation on another task after its task is gone', async () => {
    const prefix = uniquePrefix();
    taskA = await start(prefix);
    taskB = await start(prefix);
    openAi.setScript(withCondense({ kind: 'stream', tokens: ['Use ', 'Pulumi.'] }));
    // The same visitor on both tasks: the widget renews its token, which keeps its visitor id.
    const token = await visitorToken(taskA.url);
    const onA = await ChatClient.connect(taskA.url, { token });
    const first = await onA.askAndWait({ text: 'How do I deploy?' });
    onA.close();
    await taskA.stop();
    taskA = undefined;

    openAi.setScript(withCondense({ kind: 'stream', tokens: ['With ', '`-s prod`.'] }));
    const renewed = await requestVisitorToken(taskB.url, { siteKey: 'demo', previousToken: token });
    const onB = await ChatClient.connect(taskB.url, {
      token: ((await renewed.json()) as { token: string }).token,
    });
    const second = await onB.askAndWait({
      conversationId: first.accepted.conversationId,
      text: 'And to production?',
    });
    onB.close();

    expect(second.text).toBe('With `-s prod`.');
    const messages = openAi.requests.at(-1)?.body.messages ?? [];
    expect(messages.slice(1, -1)).toEqual([
      { role: 'user', content: 'How do I deploy?' },
      { role: 'assistant', content: 'Use Pulumi.' },
    ]);
  });

  it('holds a visitor to the same quota on every task', async () => {
    const prefix = uniquePrefix();
    taskA = await start(prefix, { QUOTA_QUESTIONS_PER_MINUTE: '1' });
    taskB = await start(prefix, { QUOTA_QUESTIONS_PER_MINUTE: '1' });
    openAi.setScript(withCondense({ kind: 'stream', tokens: ['Yes.'] }));
    const token = await visitorToken(taskA.url);
    const onA = await ChatClient.connect(taskA.url, { token });
    const onB = await ChatClient.connect(taskB.url, { token });

    expect(await onA.ask({ text: 'How do I deploy?' })).toMatchObject({ ok: true });
    expect(await onB.ask({ text: 'Where do I add the widget?' })).toMatchObject({
      ok: false,
      error: { code: 'rate_limited', retryAfterSeconds: expect.any(Number) },
    });
    onA.close();
    onB.close();
  });

  /**
   * A visitor asks task A through the balancer; once tokens flow, the network blinks and the
   * balancer sends the reconnection to task B, where Socket.IO recovers the session. Task A goes
   * on answering.
   */
  const askThenMoveToB = async (proxy: SwitchingProxy, proxyUrl: string, tokenCount: number) => {
    openAi.setScript(withCondense(slowAnswer(tokenCount)));
    const token = await visitorToken(proxyUrl);
    const client = await ChatClient.connect(proxyUrl, { token, reconnection: true });
    const accepted = await client.ask({ text: 'How do I deploy to production?' });
    if (!accepted.ok) throw new Error(accepted.error.message);
    await new Promise<void>((resolve) => {
      client.socket.on('token', () => {
        if (client.socket.connected && openAi.requests.length > 0) resolve();
      });
    });
    proxy.target = new URL(taskB.url);
    client.socket.io.engine.close();
    await nextEvent(client.socket, 'connect');
    expect(client.socket.recovered).toBe(true);
    return { client, messageId: accepted.messageId };
  };

  /** Runs `test` with both tasks started and a balancer in front of them, aimed at task A. */
  const withBalancer = async (
    env: NodeJS.ProcessEnv,
    test: (proxy: SwitchingProxy, proxyUrl: string) => Promise<void>,
  ) => {
    const prefix = uniquePrefix();
    taskA = await start(prefix, env);
    taskB = await start(prefix, env);
    const proxy = new SwitchingProxy(taskA.url);
    try {
      await test(proxy, await proxy.listen());
    } finally {
      await proxy.close();
    }
  };

  it('delivers every token once when a visitor drops mid-answer and reconnects to another task', async () => {
    await withBalancer({}, async (proxy, proxyUrl) => {
      const { client, messageId } = await askThenMoveToB(proxy, proxyUrl, 30);

      const answer = await client.answerOf(messageId);
      client.close();
      expect(answer.tokens).toEqual(slowAnswer(30).tokens);
      expect(answer.done?.cancelled).toBe(false);
    });
  });

  it('keeps answering a visitor recovered on another task after the recovery window', async () => {
    // The answer takes 3.6 s; task A would give up on the dropped connection after 2 s.
    await withBalancer({ CONNECTION_RECOVERY_SECONDS: '2' }, async (proxy, proxyUrl) => {
      const { client, messageId } = await askThenMoveToB(proxy, proxyUrl, 90);

      const answer = await client.answerOf(messageId);
      client.close();
      expect(answer.tokens).toEqual(slowAnswer(90).tokens);
      expect(answer.done?.cancelled).toBe(false);
      expect(openAi.abortedRequests).toBe(0);
    });
  });

  it('stops the answer on the first task when the visitor cancels it on the second', async () => {
    await withBalancer({}, async (proxy, proxyUrl) => {
      const { client, messageId } = await askThenMoveToB(proxy, proxyUrl, 60);
      const aborted = openAi.abortedRequests;

      client.socket.emit('cancel', { messageId });
      const answer = await client.answerOf(messageId);
      client.close();
      expect(answer.done?.cancelled).toBe(true);
      expect(answer.tokens.length).toBeLessThan(60);
      await openAi.waitForAbort(aborted + 1);
    });
  });

  it('stops the answer on the first task when the visitor leaves from the second', async () => {
    await withBalancer({}, async (proxy, proxyUrl) => {
      const { client } = await askThenMoveToB(proxy, proxyUrl, 60);
      const aborted = openAi.abortedRequests;

      client.close();
      await openAi.waitForAbort(aborted + 1);
    });
  });
});
