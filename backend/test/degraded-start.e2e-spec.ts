/**
 * The server started while its Qdrant and its Redis are both down: each URL points at a loopback
 * port nothing listens on, so every connection is refused, as when a dependency's host is gone.
 * Then they come up on those ports: Qdrant as the local server that speaks Qdrant's REST API
 * (test/fakes/qdrant-server.ts, reached by the official client), Redis as a real redis-server.
 * Answers come from a local server speaking OpenAI's streaming wire protocol.
 */
import { DEPENDENCY, LIVENESS_PATH, METRIC, READINESS_PATH } from '@lorechat/contracts';
import { freePort } from '../src/bench/free-port';
import { Readiness, type HealthReport } from '../src/health/readiness';
import { RedisConnection } from '../src/redis/redis-connection';
import { loadConfig } from '../src/config/app-config';
import { STORE_RETRY_MS, openServerVectorStore } from '../src/vector-store/vector-store.module';
import { type FakeOpenAi, startFakeOpenAi } from './fakes/openai-server';
import { FakeQdrant } from './fakes/qdrant-server';
import { ChatClient, FIXTURE_DOCS, type RunningApp, startApp } from './support/app';
import { LogCapture } from './support/logs';
import { RedisServer, uniquePrefix, untilReady } from './support/redis';

jest.setTimeout(60_000);

async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url);
  return { status: response.status, body: (await response.json()) as T };
}

/** Polls until `check` passes, for what the server does on its own schedule. */
async function eventually(check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('a server whose Qdrant and Redis are down when it starts', () => {
  let qdrantPort: number;
  let redisPort: number;
  let openAi: FakeOpenAi;
  let running: RunningApp;
  const logs = new LogCapture();
  const metricLines: string[] = [];
  let qdrant: FakeQdrant | undefined;
  let redis: RedisServer | undefined;
  let stdoutWrite: jest.SpyInstance;

  beforeAll(async () => {
    qdrantPort = await freePort();
    redisPort = await freePort();
    openAi = await startFakeOpenAi();
    // The embedded-metric lines go to stdout, as CloudWatch reads them from the task's log.
    const write = process.stdout.write.bind(process.stdout);
    stdoutWrite = jest.spyOn(process.stdout, 'write').mockImplementation((chunk, ...rest) => {
      const text = String(chunk);
      if (text.includes('"CloudWatchMetrics"')) {
        metricLines.push(text);
        return true;
      }
      return write(chunk, ...(rest as []));
    });
    running = await startApp(
      {
        VECTOR_STORE: 'qdrant',
        QDRANT_URL: `http://127.0.0.1:${qdrantPort}`,
        QDRANT_COLLECTION: 'degraded_start',
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        REDIS_KEY_PREFIX: uniquePrefix(),
        LORECHAT_DOCS_DIR: FIXTURE_DOCS,
        LLM_PROVIDER: 'openai',
        LLM_MODEL: 'gpt-test',
        LLM_BASE_URL: openAi.baseUrl,
        OPENAI_API_KEY: 'sk-test-degraded',
        LLM_MAX_RETRIES: '0',
        METRICS_ENABLED: 'true',
        METRICS_ENVIRONMENT: 'test',
        LOG_LEVEL: 'log',
      },
      { logDestination: logs },
    );
  });

  afterAll(async () => {
    await running.stop();
    stdoutWrite.mockRestore();
    await qdrant?.close();
    await redis?.stop();
    await openAi.close();
  });

  const readiness = () => getJson<HealthReport>(`${running.url}${READINESS_PATH}`);
  const readyValues = () =>
    metricLines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((record) => METRIC.dependencyReady in record)
      .map((record) => [record.Dependency, record[METRIC.dependencyReady]]);

  it('starts, says it is degraded, and stays alive for the load balancer', async () => {
    const warning = await logs.lineWhere(
      (line) => line.level === 'WARN' && /starting degraded/.test(line.msg ?? ''),
    );
    expect(warning.msg).toContain(`Qdrant at http://127.0.0.1:${qdrantPort}`);
    expect(warning.msg).toContain('cannot connect (ECONNREFUSED)');
    // Redis says so too, and the start goes on.
    await logs.lineWhere((line) => line.level === 'WARN' && line.context === 'Redis');

    const live = await getJson<{ status: string }>(`${running.url}${LIVENESS_PATH}`);
    expect(live).toEqual({ status: 200, body: expect.objectContaining({ status: 'live' }) });

    const ready = await readiness();
    expect(ready.status).toBe(503);
    expect(ready.body.status).toBe('down');
    expect(ready.body.dependencies.index).toMatchObject({ status: 'down' });
    expect(ready.body.dependencies.index.detail).toContain('ECONNREFUSED');
    expect(ready.body.dependencies.state).toMatchObject({ status: 'degraded', store: 'redis' });
    // /health is the same report, for people.
    expect((await getJson<HealthReport>(`${running.url}/health`)).status).toBe(503);
  });

  it('publishes each dependency as not ready, for the alarms', async () => {
    metricLines.length = 0;
    await running.app.get(Readiness).publish();
    expect(readyValues()).toEqual([
      [DEPENDENCY.vectorStore, 0],
      [DEPENDENCY.redis, 0],
    ]);
  });

  it('tells a visitor the answer failed instead of dropping the connection', async () => {
    const client = await ChatClient.connect(running.url);
    const response = await client.ask({ text: 'How do I deploy?' });
    const answer = response.ok ? await client.answerOf(response.messageId) : undefined;
    const refusal = response.ok ? answer?.error : response.error;
    expect(refusal?.code).toMatch(/^(internal|provider_unavailable)$/);
    expect(client.socket.connected).toBe(true);
    client.close();
  });

  it('opens the index and shares state once Qdrant and Redis are back', async () => {
    qdrant = await new FakeQdrant().listen(qdrantPort);
    redis = await RedisServer.start(redisPort);
    await untilReady(running.app.get(RedisConnection));
    await eventually(async () => (await readiness()).status === 200, STORE_RETRY_MS * 3);

    const ready = await readiness();
    // Back, and empty: the ingest job fills it (the docs are seeded only at a start).
    expect(ready.body.dependencies.index).toMatchObject({ status: 'degraded', documents: 0 });
    expect(ready.body.dependencies.state).toEqual({ status: 'ok', store: 'redis' });
    expect(qdrant.requests.some((request) => request.method === 'PUT')).toBe(true);
    await logs.lineWhere((line) => /Qdrant at .* is reachable again/.test(line.msg ?? ''));

    metricLines.length = 0;
    await running.app.get(Readiness).publish();
    expect(readyValues()).toEqual([
      [DEPENDENCY.vectorStore, 1],
      [DEPENDENCY.redis, 1],
    ]);
  });
});

describe('a server whose Qdrant answers but refuses it', () => {
  it('does not start: waiting would not fix a wrong key', async () => {
    const qdrant = await new FakeQdrant().listen();
    qdrant.failWhen(() => true, 401);
    const config = loadConfig({ VECTOR_STORE: 'qdrant', QDRANT_URL: qdrant.url });
    try {
      await expect(openServerVectorStore(config, 0, new AbortController().signal)).rejects.toThrow(
        /HTTP 401.*QDRANT_API_KEY/,
      );
    } finally {
      await qdrant.close();
    }
  });
});
