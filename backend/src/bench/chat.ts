/**
 * `npm run bench:chat [-- --conversations N] [--tokens N] [--rate N] [--idle N]
 *   [--first-token-ms N] [--ask-window-ms N] [--client-processes N] [--timeout-s N]
 *   [--backend-env NAME=VALUE]… [--cpu-prof DIR]
 *   [--capacity] [--relay] [--workers N[,M…]] [--redis] [--pin] [--tries N] [--resolution F]`
 *
 * Load test of the chat path, end to end: starts a local OpenAI-compatible provider that streams
 * every answer at a fixed rate (chat-provider.ts, in this process), the real backend
 * (`dist/main.js`, as `npm start` runs it, configured for that provider) and visitors in separate
 * processes (chat-clients.ts: real socket.io-client connections with visitor tokens, as the widget
 * connects). Everything stays on 127.0.0.1. Twenty short answers warm each server up first.
 * Every token is stamped by the provider (conversation, sequence number, send time), so the
 * clients count lost, duplicated and misrouted tokens exactly and time each token from its send.
 *
 * Fixed load (the default): idle connections first (the backend's resident memory per
 * connection), then `--conversations` answers streaming at once (asks spread over
 * `--ask-window-ms`), judged against issue 8's targets.
 *
 * Capacity (`--capacity`, implied by `--relay` and by several `--workers`): for each server, the
 * most conversations streaming within the targets, by doubling from `--conversations` (25) and
 * then bisecting (chat-capacity.ts); the servers take turns level by level, so a slower stretch
 * of the shared machine weighs on each alike. `--relay` adds the bare relay (chat-relay.ts, the
 * floor of the stack) and reports LoreChat's capacity against it; `--workers 1,2` compares
 * LoreChat with its WORKERS setting at each value (beyond 1 each needs Redis: `--redis` starts
 * a redis-server for LoreChat, or pass `--backend-env REDIS_URL=…`). `--pin` binds the servers to CPU 0 and this process and the
 * visitors to CPU 1 (`taskset`).
 *
 * The last line is one JSON object. Exits 1 if the bench itself fails (a fixed-load run that
 * times out, a process crash), 0 otherwise, targets met or not.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CapacitySearch, heldTargets } from './chat-capacity';
import { ClientPool } from './chat-client-pool';
import {
  type IdleResult,
  type LoadShape,
  measureIdle,
  type StreamResult,
  streamMs,
  streamOnce,
  warmUp,
} from './chat-load';
import { type BenchOptions, parseOptions } from './chat-options';
import { FixedRateProvider } from './chat-provider';
import {
  type CapacityRecord,
  levelRecord,
  printCapacity,
  printFixedLoad,
  streamFigures,
} from './chat-report';
import { ServerUnderTest, type ServerSpec, startRedis } from './chat-server';
import { freePort } from './free-port';

const SERVER_CPU = 0;
const LOAD_CPU = 1;

const log = (line: string) => console.log(line);

/** Binds this process (the provider) and every process it starts after (the visitors) to `cpu`. */
function pinSelf(cpu: number): void {
  try {
    execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(process.pid)], {
      stdio: 'ignore',
    });
  } catch (error) {
    throw new Error(`--pin needs taskset (util-linux): ${String(error)}`, { cause: error });
  }
}

/** LoreChat's environment: the bench provider, no quotas, no response cache. */
function loreChatEnv(options: BenchOptions, providerUrl: string, dataDir: string, port: number) {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    HOST: '127.0.0.1',
    PORT: String(port),
    LORECHAT_DATA_DIR: dataDir,
    LORECHAT_DOCS_DIR: resolve(__dirname, '../../../docs'),
    LOG_LEVEL: 'warn',
    LLM_PROVIDER: 'openai',
    OPENAI_API_KEY: 'bench',
    LLM_BASE_URL: providerUrl,
    RESPONSE_CACHE_ENABLED: 'false',
    QUOTA_QUESTIONS_PER_MINUTE: '0',
    QUOTA_TOKENS_PER_DAY: '0',
    QUOTA_IP_QUESTIONS_PER_MINUTE: '0',
    QUOTA_IP_TOKENS_PER_DAY: '0',
    SITE_TOKENS_PER_DAY: '0',
    CONVERSATION_MAX_COUNT: '50000',
    DRAIN_TIMEOUT_MS: '2000',
    ...options.backendEnv,
  };
}

/** The servers to measure: LoreChat once per WORKERS setting, and the relay with `--relay`. */
async function serverSpecs(
  options: BenchOptions,
  providerUrl: string,
  dataDir: string,
  redisUrl?: string,
): Promise<ServerSpec[]> {
  const cpu = options.pin ? SERVER_CPU : undefined;
  const specs: ServerSpec[] = [];
  if (options.relay) {
    specs.push({
      name: 'relay',
      kind: 'relay',
      env: { PATH: process.env.PATH, PORT: String(await freePort()), LLM_BASE_URL: providerUrl },
      workers: 1,
      cpuProfDir: options.cpuProfDir,
      cpu,
    });
  }
  for (const setting of options.workers) {
    const workers = setting === 'auto' ? availableParallelism() : Number(setting);
    const name = workers === 1 ? 'lorechat' : `lorechat_${workers}_workers`;
    if (specs.some((spec) => spec.name === name)) continue;
    const port = await freePort();
    specs.push({
      name,
      kind: 'lorechat',
      env: {
        ...(redisUrl && { REDIS_URL: redisUrl }),
        // Each server its own keys and Socket.IO stream, should they share one Redis.
        REDIS_KEY_PREFIX: `bench-${name}:`,
        ...loreChatEnv(options, providerUrl, join(dataDir, name), port),
        WORKERS: String(workers),
      },
      workers,
      cpuProfDir: options.cpuProfDir,
      cpu,
    });
  }
  return specs;
}

async function fixedLoad(
  server: ServerUnderTest,
  pool: ClientPool,
  provider: FixedRateProvider,
  options: BenchOptions,
  shape: LoadShape,
): Promise<void> {
  const idle: IdleResult | undefined =
    options.idle > 0 ? await measureIdle(server, pool, options.idle) : undefined;
  let stream: StreamResult | undefined;
  if (options.conversations > 0) {
    log(`streaming: ${options.conversations} conversations`);
    stream = await streamOnce(server, pool, provider, shape, options.conversations);
  }
  printFixedLoad(options, stream, idle, server.peakRss());
  if (stream?.timedOut) {
    throw new Error(
      `timed out: ${stream.completed} of ${options.conversations} answers finished within ${shape.timeoutMs / 1000} s of the last one's due end`,
    );
  }
}

/** Searches every server's capacity, the servers taking turns level by level. */
async function capacities(
  servers: ServerUnderTest[],
  pool: ClientPool,
  provider: FixedRateProvider,
  options: BenchOptions,
  shape: LoadShape,
): Promise<Map<string, CapacityRecord>> {
  const searches = servers.map(
    (server): { server: ServerUnderTest; search: CapacitySearch; record: CapacityRecord } => ({
      server,
      search: new CapacitySearch(options.conversations, options.resolution),
      record: { capacity_conversations: 0, cpu_us_per_token: 0, levels: [] },
    }),
  );
  for (let busy = true; busy;) {
    busy = false;
    for (const { server, search, record } of searches) {
      const level = search.next();
      if (level === undefined) continue;
      busy = true;
      let held = false;
      for (let attempt = 1; attempt <= options.tries && !held; attempt += 1) {
        const stream = await streamOnce(server, pool, provider, shape, level);
        held = !stream.timedOut && heldTargets({ ...stream, conversations: level });
        const figures = levelRecord(level, stream, held);
        record.levels.push(figures);
        log(
          `${server.name}: ${level} conversations ${held ? 'held' : 'failed'}` +
            ` (delay p99 ${figures.token_delay_p99_ms} ms, first token +${figures.ttft_added_p50_ms} ms,` +
            ` lost ${figures.lost}, duplicated ${figures.duplicated}, ${figures.cpu_us_per_token} µs/token,` +
            ` server ${figures.backend_cpu_percent}% CPU` +
            (figures.load_core_cpu_percent === undefined
              ? ')'
              : `, load core ${figures.load_core_cpu_percent}%)`),
        );
        if (held && level > record.capacity_conversations) {
          record.capacity_conversations = level;
          record.cpu_us_per_token = figures.cpu_us_per_token;
          record.at_capacity = streamFigures(stream);
        }
        await sleep(1000);
      }
      search.record(level, held);
    }
  }
  return new Map(searches.map(({ server, record }) => [server.name, record]));
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  if (options.pin) pinSelf(LOAD_CPU);
  const shape: LoadShape = {
    tokens: options.tokens,
    rate: options.rate,
    firstTokenMs: options.firstTokenMs,
    askWindowMs: options.askWindowMs,
    timeoutMs: options.timeoutMs,
    loadCpu: options.pin ? LOAD_CPU : undefined,
  };
  const provider = new FixedRateProvider({
    rate: options.rate,
    firstTokenMs: options.firstTokenMs,
  });
  const providerUrl = await provider.listen();
  const dataDir = mkdtempSync(join(tmpdir(), 'lorechat-bench-chat-'));
  log(
    `bench:chat: ${options.capacity ? `capacity search from ${options.conversations}` : options.conversations} conversations × ` +
      `${options.tokens} tokens at ${options.rate} tokens/s (first token after ${options.firstTokenMs} ms, ` +
      `answers ${Math.round(streamMs(shape))} ms), ${options.idle} idle connections, ` +
      `${options.clientProcesses} client processes${options.pin ? `, servers on CPU ${SERVER_CPU}, load on CPU ${LOAD_CPU}` : ''}`,
  );
  const servers: ServerUnderTest[] = [];
  let pool: ClientPool | undefined;
  let redis: Awaited<ReturnType<typeof startRedis>> | undefined;
  try {
    if (options.redis) {
      redis = await startRedis(await freePort(), options.pin ? SERVER_CPU : undefined);
      log(`redis-server at ${redis.url}`);
    }
    for (const spec of await serverSpecs(options, providerUrl, dataDir, redis?.url)) {
      const startedAt = performance.now();
      const server = await ServerUnderTest.start(spec);
      servers.push(server);
      log(`${spec.name} ready at ${server.url} in ${Math.round(performance.now() - startedAt)} ms`);
    }
    pool = await ClientPool.start(options.clientProcesses, options.timeoutMs);
    for (const server of servers) await warmUp(server, pool, shape);
    if (options.capacity) {
      const records = await capacities(servers, pool, provider, options, shape);
      printCapacity({ ...options, pinned: options.pin }, records);
    } else {
      await fixedLoad(servers[0]!, pool, provider, options, shape);
    }
  } finally {
    pool?.stop();
    for (const server of servers) await server.stop();
    redis?.stop();
    await provider.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
