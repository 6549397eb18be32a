/**
 * WORKERS above 1, against the real server process: `src/main.ts` run by plain node in a child
 * process (through scripts/register-typescript.js), whose node:cluster workers share the port,
 * with a real redis-server from Debian (started per file) for what they share, real
 * socket.io-clients as visitors, and the OpenAI provider pointed at the local fake where an answer
 * must be slow. Which worker holds a connection is read from the worker number on the server's
 * own `connection opened` log line.
 */
import { processTree } from '../src/bench/chat-cpu';
import { type FakeOpenAi, startFakeOpenAi } from './fakes/openai-server';
import { ChatClient, nextEvent, visitorToken } from './support/app';
import { RedisServer, uniquePrefix } from './support/redis';
import { type ServerProcess, startServerProcess } from './support/server-process';

type Cluster = ServerProcess;

/** Starts the server with two workers and waits until both listen. */
function startCluster(env: NodeJS.ProcessEnv): Promise<Cluster> {
  return startServerProcess({
    env: {
      LOG_LEVEL: 'debug',
      WORKERS: '2',
      REDIS_KEY_PREFIX: uniquePrefix(),
      // Unset, as in a first install: the primary process shares one secret with its workers.
      VISITOR_TOKEN_SECRET: undefined,
      ...env,
    },
    readyWhen: /2 workers listening/,
    startTimeoutMs: 60_000,
  });
}

async function until(check: () => boolean, timeoutMs: number, failure: () => string) {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(failure());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The server's JSON log lines. */
function logLines(cluster: Cluster): Record<string, unknown>[] {
  return cluster
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The worker that logged the connection's opening. */
async function workerOf(cluster: Cluster, client: ChatClient): Promise<number> {
  let worker: unknown;
  await until(
    () => {
      worker = logLines(cluster).find(
        (line) => line.msg === 'connection opened' && line.connectionId === client.socket.id,
      )?.worker;
      return worker !== undefined;
    },
    5_000,
    () => `no log line for connection ${client.socket.id}`,
  );
  return worker as number;
}

/**
 * Connects visitors until one is on each worker: the primary hands new connections out in turn.
 * The tokens are fetched first, so token requests do not take every other turn.
 */
async function oneOnEachWorker(cluster: Cluster): Promise<[ChatClient, ChatClient]> {
  const tokens: string[] = [];
  for (let index = 0; index < 8; index += 1) tokens.push(await visitorToken(cluster.url));
  const clients: ChatClient[] = [];
  const byWorker = new Map<number, ChatClient>();
  while (byWorker.size < 2 && clients.length < tokens.length) {
    const client = await ChatClient.connect(cluster.url, { token: tokens[clients.length] });
    clients.push(client);
    byWorker.set(await workerOf(cluster, client), client);
  }
  for (const client of clients) {
    if (![...byWorker.values()].includes(client)) client.close();
  }
  const [first, second] = [...byWorker.values()];
  if (!first || !second) throw new Error(`all ${clients.length} connections on one worker`);
  return [first, second];
}

/** The worker processes: the primary's children. */
function workerPids(cluster: Cluster): number[] {
  return [...processTree(cluster.child.pid!)].filter((pid) => pid !== cluster.child.pid);
}

describe('WORKERS=2: worker processes sharing the port', () => {
  let redis: RedisServer;
  let openAi: FakeOpenAi;
  let cluster: Cluster | undefined;
  const clients: ChatClient[] = [];
  beforeAll(async () => {
    redis = await RedisServer.start();
    openAi = await startFakeOpenAi();
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
    if (cluster?.child.exitCode === null) {
      for (const pid of workerPids(cluster)) process.kill(pid, 'SIGKILL');
      cluster.child.kill('SIGKILL');
    }
  });
  afterAll(async () => {
    await openAi.close();
    await redis.stop();
  });

  it('serves visitors from both workers, with one visitor-token secret and one conversation across them', async () => {
    // No VISITOR_TOKEN_SECRET: a token fetched from one worker must still open a socket on the other.
    cluster = await startCluster({ REDIS_URL: redis.url });
    const [first, second] = await oneOnEachWorker(cluster);
    clients.push(first, second);

    const opening = await first.askAndWait({ text: 'How do I deploy to production?' });
    expect(opening.done).toMatchObject({ cancelled: false });
    expect(opening.tokens.length).toBeGreaterThan(0);
    // The follow-up reaches the other worker, which reads the conversation from Redis.
    const followUp = await second.askAndWait({
      conversationId: opening.accepted.conversationId,
      text: 'And how do I roll back?',
    });
    expect(followUp.error).toBeUndefined();
    expect(followUp.done).toMatchObject({ cancelled: false });
    expect(followUp.accepted.conversationId).toBe(opening.accepted.conversationId);
  }, 90_000);

  it('on SIGTERM, drains every worker: the answers in flight on both finish, then it exits 0', async () => {
    cluster = await startCluster({
      REDIS_URL: redis.url,
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: openAi.baseUrl,
      LLM_MAX_RETRIES: '0',
      DRAIN_TIMEOUT_MS: '20000',
    });
    const [first, second] = await oneOnEachWorker(cluster);
    clients.push(first, second);
    openAi.setScript({
      kind: 'stream',
      tokens: Array.from({ length: 10 }, (_, index) => `word${index} `),
      tokenDelayMs: 100,
    });
    const started = [nextEvent(first.socket, 'token'), nextEvent(second.socket, 'token')];
    const asks = await Promise.all([
      first.ask({ text: 'How do I deploy to production?' }),
      second.ask({ text: 'How do I deploy to production?' }),
    ]);
    await Promise.all(started);

    cluster.child.kill('SIGTERM');

    for (const [index, client] of [first, second].entries()) {
      const asked = asks[index]!;
      if (!asked.ok) throw new Error(asked.error.message);
      const answer = await client.answerOf(asked.messageId);
      expect(answer.done).toMatchObject({ cancelled: false });
      expect(answer.tokens).toHaveLength(10);
    }
    expect(await cluster.exited).toEqual([0, null]);
    expect(cluster.output()).toMatch(/SIGTERM received: draining 2 workers/);
  }, 90_000);

  it('replaces a worker that dies, and keeps serving', async () => {
    cluster = await startCluster({ REDIS_URL: redis.url });
    const [victim, survivor] = workerPids(cluster);
    expect(survivor).toBeDefined();

    process.kill(victim!, 'SIGKILL');

    await until(
      () => /exited \(SIGKILL\): starting another/.test(cluster!.output()),
      10_000,
      () => cluster!.output(),
    );
    await until(
      () => workerPids(cluster!).length === 2 && !workerPids(cluster!).includes(victim!),
      60_000,
      () => `workers now: ${workerPids(cluster!).join(', ')}`,
    );
    const client = await ChatClient.connect(cluster.url);
    clients.push(client);
    const answer = await client.askAndWait({ text: 'How do I deploy to production?' });
    expect(answer.done).toMatchObject({ cancelled: false });
  }, 90_000);
});
