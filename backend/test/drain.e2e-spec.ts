/**
 * Graceful drain, against the real server process: `src/main.ts` run by plain node in a child
 * process (through scripts/register-typescript.js), answering through the OpenAI provider pointed
 * at the local fake. SIGTERM arrives mid-answer, as when ECS stops a task for a Spot interruption
 * or a deploy.
 */
import { type FakeOpenAi, startFakeOpenAi } from './fakes/openai-server';
import { ChatClient, nextEvent, openSocket } from './support/app';
import { healthStatus, type ServerProcess, startServerProcess } from './support/server-process';

describe('graceful drain on SIGTERM', () => {
  let openAi: FakeOpenAi;
  let server: ServerProcess | undefined;
  beforeAll(async () => {
    openAi = await startFakeOpenAi();
  });
  afterEach(() => {
    if (server?.child.exitCode === null) server.child.kill('SIGKILL');
  });
  afterAll(async () => {
    await openAi.close();
  });

  const slowAnswer = (tokens: number) => ({
    kind: 'stream' as const,
    tokens: Array.from({ length: tokens }, (_, index) => `word${index} `),
    tokenDelayMs: 100,
  });

  it('fails readiness, refuses new work, finishes the answer in flight, sends clients elsewhere, exits 0', async () => {
    server = await startServerProcess({
      env: {
        LLM_PROVIDER: 'openai',
        LLM_BASE_URL: openAi.baseUrl,
        LLM_MAX_RETRIES: '0',
        DRAIN_TIMEOUT_MS: '20000',
      },
    });
    const { url } = server;
    openAi.setScript(slowAnswer(15));
    const busy = await ChatClient.connect(url);
    const idle = await ChatClient.connect(url);
    const firstToken = nextEvent(busy.socket, 'token');
    const asked = await busy.ask({ text: 'How do I deploy to production?' });
    if (!asked.ok) throw new Error(asked.error.message);
    await firstToken;
    const idleGone = nextEvent(idle.socket, 'disconnect');
    const busyGone = nextEvent(busy.socket, 'disconnect');

    server.child.kill('SIGTERM');

    // Readiness fails at once, so the load balancer stops sending visitors here.
    const drainingBy = Date.now() + 2000;
    while ((await healthStatus(url)) !== 503) {
      expect(Date.now()).toBeLessThan(drainingBy);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const health = (await (await fetch(`${url}/health`)).json()) as { status: string };
    expect(health.status).toBe('draining');
    // Idle visitors are sent elsewhere: a transport close, which Socket.IO clients reconnect after.
    expect(await idleGone).toEqual(['transport close', expect.anything()]);
    // No new questions, and no new connections.
    const refused = await busy.ask({ text: 'Another question' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'provider_unavailable' } });
    const { refusal } = await openSocket(url);
    expect(refusal?.data?.code).toBe('provider_unavailable');

    // The answer in flight completes, whole.
    const answer = await busy.answerOf(asked.messageId);
    expect(answer.done).toMatchObject({ cancelled: false });
    expect(answer.tokens).toHaveLength(15);
    expect(answer.sources?.length).toBeGreaterThan(0);
    expect((await busyGone)[0]).toBe('transport close');

    expect(await server.exited).toEqual([0, null]);
    expect(server.output()).toMatch(/SIGTERM received/);
    busy.close();
    idle.close();
  }, 40_000);

  it('stops an answer still running at DRAIN_TIMEOUT_MS, then exits 0 all the same', async () => {
    server = await startServerProcess({
      env: {
        LLM_PROVIDER: 'openai',
        LLM_BASE_URL: openAi.baseUrl,
        LLM_MAX_RETRIES: '0',
        DRAIN_TIMEOUT_MS: '500',
      },
    });
    openAi.setScript(slowAnswer(100));
    const client = await ChatClient.connect(server.url);
    const firstToken = nextEvent(client.socket, 'token');
    const asked = await client.ask({ text: 'How do I deploy to production?' });
    if (!asked.ok) throw new Error(asked.error.message);
    await firstToken;
    const sentAt = Date.now();
    server.child.kill('SIGTERM');

    const answer = await client.answerOf(asked.messageId);
    expect(answer.done).toMatchObject({ cancelled: true });
    expect(answer.tokens.length).toBeLessThan(100);
    expect(await server.exited).toEqual([0, null]);
    expect(Date.now() - sentAt).toBeLessThan(5000);
    client.close();
  }, 40_000);
});
