/**
 * The phases of `npm run bench:chat` against one server: warm-up, idle connections (memory per
 * connection) and one streaming run at a given number of conversations, summarised from what
 * every visitor saw.
 */
import { cpus } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Answers, type ClientPool, shares } from './chat-client-pool';
import { type ConversationResult } from './chat-clients';
import { busyPercent, machineCpu } from './chat-cpu';
import { type FixedRateProvider } from './chat-provider';
import { type ServerUnderTest } from './chat-server';
import { maxOverlap, percentile, sorted, wallNow } from './chat-stats';

/** Warm-up answers, before anything is measured: their ids start at WARM_UP_IDS. */
const WARM_UP_CONVERSATIONS = 20;
const WARM_UP_TOKENS = 10;
const WARM_UP_IDS = 1_000_000;
/** Longer than the backend's HTTP keep-alive (5 s), so token requests' connections are closed. */
const KEEP_ALIVE_SETTLE_MS = 6_000;

export interface LoadShape {
  tokens: number;
  rate: number;
  firstTokenMs: number;
  /** Unset: half an answer's length, so the last asks come before the first answers end. */
  askWindowMs?: number;
  timeoutMs: number;
  /** The load runs on this CPU (the server on another): its share says if the load kept up. */
  loadCpu?: number;
}

export interface IdleResult {
  connected: number;
  failed: number;
  /** Resident memory, KB. */
  kbPerConnection: number;
  /** The JS heap's part of it, KB. */
  heapKbPerConnection: number;
}

export type StreamResult = ReturnType<typeof summarise> & { timedOut: boolean };

const log = (line: string) => console.log(line);

/** Length of one answer, first token to last, ms. */
export const streamMs = (shape: LoadShape): number =>
  shape.firstTokenMs + ((shape.tokens - 1) * 1000) / shape.rate;

const askWindowOf = (shape: LoadShape) => shape.askWindowMs ?? Math.round(streamMs(shape) / 2);

/** The first connections and answers load code and fill caches that no later one needs. */
export async function warmUp(
  server: ServerUnderTest,
  pool: ClientPool,
  shape: LoadShape,
): Promise<void> {
  await pool.fetchTokens(server.url, WARM_UP_CONVERSATIONS);
  const warm = await pool.connect(server.url);
  if (warm.connected > 0) {
    const tokens = Math.min(shape.tokens, WARM_UP_TOKENS);
    const perClient = shares(warm.connected, pool.size);
    const startAt = wallNow() + 200;
    let id = WARM_UP_IDS;
    const lists = perClient.map((count) =>
      Array.from({ length: count }, () => ({ id: id++, askAt: startAt })),
    );
    await pool.ask(
      lists,
      tokens,
      startAt + shape.firstTokenMs + (tokens * 1000) / shape.rate + shape.timeoutMs,
    );
  }
  await pool.close();
}

/** Opens `idle` connections that ask nothing; the server's memory per connection. */
export async function measureIdle(
  server: ServerUnderTest,
  pool: ClientPool,
  idle: number,
): Promise<IdleResult> {
  log(`idle: fetching ${idle} visitor tokens`);
  await pool.fetchTokens(server.url, idle);
  await sleep(KEEP_ALIVE_SETTLE_MS);
  const before = await server.settledMemory();
  const opened = await pool.connect(server.url);
  log(`idle: ${opened.summary}`);
  await sleep(3000);
  const after = await server.settledMemory();
  const perConnection = (bytes: number) =>
    opened.connected > 0 ? bytes / 1024 / opened.connected : 0;
  const result = {
    connected: opened.connected,
    failed: opened.failed,
    kbPerConnection: perConnection(after.rssBytes - before.rssBytes),
    heapKbPerConnection: perConnection(after.heapUsedBytes - before.heapUsedBytes),
  };
  log(
    `idle: RSS ${(before.rssBytes / 2 ** 20).toFixed(1)} → ${(after.rssBytes / 2 ** 20).toFixed(1)} MB ` +
      `= ${result.kbPerConnection.toFixed(1)} KB per connection ` +
      `(JS heap ${result.heapKbPerConnection.toFixed(1)} KB)`,
  );
  await pool.close();
  await sleep(2000);
  return result;
}

/**
 * Opens `conversations` connections, then each asks one question, the asks spread over the ask
 * window so every answer streams at once; closes the connections after.
 */
export async function streamOnce(
  server: ServerUnderTest,
  pool: ClientPool,
  provider: FixedRateProvider,
  shape: LoadShape,
  conversations: number,
): Promise<StreamResult> {
  await pool.fetchTokens(server.url, conversations);
  const opened = await pool.connect(server.url);
  log(`${server.name}: ${opened.summary}`);
  if (opened.connected < conversations) {
    await pool.close();
    throw new Error(
      `${server.name}: only ${opened.connected} of ${conversations} connections opened`,
    );
  }
  await sleep(1000);
  const askWindowMs = askWindowOf(shape);
  const latenessBefore = provider.lateness.length;
  // Resets the server's event-loop delay histogram: the probe after reads this run's.
  await server.probe(false);
  const serverBefore = server.cpu();
  const ownCpuBefore = process.cpuUsage();
  const machineBefore = machineCpu();
  const startAt = wallNow() + 500;
  const deadline = startAt + askWindowMs + streamMs(shape) + shape.timeoutMs;
  // Conversation i asks at startAt + window × i / N; the processes take turns.
  const lists = Array.from({ length: pool.size }, () => [] as { id: number; askAt: number }[]);
  for (let id = 0; id < conversations; id += 1) {
    lists[id % pool.size]!.push({ id, askAt: startAt + (askWindowMs * id) / conversations });
  }
  const answers = await pool.ask(lists, shape.tokens, deadline);
  const probeAfter = await server.probe(false);
  const serverAfter = server.cpu();
  const wallMs = wallNow() - startAt;
  const ownCpu = process.cpuUsage(ownCpuBefore);
  const machineAfter = machineCpu();
  const stream = summarise(answers, shape.tokens, provider.lateness.slice(latenessBefore));
  const cpuMs = serverAfter.cpuMs - serverBefore.cpuMs;
  stream.backendCpuPercent = (cpuMs / wallMs) * 100;
  stream.backendSystemCpuPercent =
    ((serverAfter.systemCpuMs - serverBefore.systemCpuMs) / wallMs) * 100;
  stream.providerCpuPercent = ((ownCpu.user + ownCpu.system) / 1000 / wallMs) * 100;
  stream.clientsCpuPercent =
    (answers.reduce((total, reply) => total + reply.cpuMs, 0) / wallMs) * 100;
  stream.machineCpuPercent = busyPercent(machineBefore.all, machineAfter.all);
  if (shape.loadCpu !== undefined) {
    const before = machineBefore.cores[shape.loadCpu];
    const after = machineAfter.cores[shape.loadCpu];
    stream.loadCoreCpuPercent = before && after ? busyPercent(before, after) : 0;
  }
  stream.otherCpuPercent = Math.max(
    0,
    stream.machineCpuPercent * cpus().length -
      stream.backendCpuPercent -
      stream.providerCpuPercent -
      stream.clientsCpuPercent,
  );
  if (stream.otherCpuPercent > 20) {
    log(
      `warning: other processes used ${stream.otherCpuPercent.toFixed(0)}% of a core while streaming; figures are skewed`,
    );
  }
  stream.backendCpuUsPerToken = stream.tokensReceived ? (cpuMs * 1000) / stream.tokensReceived : 0;
  stream.backendLoopDelayP99Ms = probeAfter.loopDelayP99Ms;
  stream.backendLoopDelayMaxMs = probeAfter.loopDelayMaxMs;
  stream.backendRssBytes = probeAfter.rssBytes;
  await pool.close();
  return { ...stream, timedOut: answers.some((reply) => reply.timedOut) };
}

function summarise(answers: Answers[], tokens: number, lateness: number[]) {
  const results: ConversationResult[] = answers.flatMap((reply) => reply.conversations);
  const delays = new Float64Array(answers.reduce((sum, reply) => sum + reply.delays.length, 0));
  let offset = 0;
  for (const reply of answers) {
    delays.set(reply.delays, offset);
    offset += reply.delays.length;
  }
  delays.sort();
  const ttftAdded = sorted(
    results.flatMap((result) =>
      result.ttftMs !== undefined && result.providerTtftMs !== undefined
        ? [result.ttftMs - result.providerTtftMs]
        : [],
    ),
  );
  const latenessSorted = sorted(lateness);
  const sum = (pick: (result: ConversationResult) => number) =>
    results.reduce((total, result) => total + pick(result), 0);
  const errors = results.filter((result) => result.error !== undefined);
  return {
    conversations: results.length,
    completed: results.filter((result) => result.doneAt !== undefined && !result.error).length,
    tokensExpected: results.length * tokens,
    tokensReceived: sum((result) => result.received),
    tokensLost: sum((result) => result.lost),
    tokensDuplicated: sum((result) => result.duplicated),
    tokensMisrouted: sum((result) => result.misrouted + result.outOfRange),
    usageMismatches: results.filter(
      (result) => result.doneAt !== undefined && result.outputTokens !== tokens,
    ).length,
    errors: errors.length,
    firstError: errors[0]?.error,
    ttftAddedP50Ms: percentile(ttftAdded, 0.5),
    ttftAddedP99Ms: percentile(ttftAdded, 0.99),
    tokenDelayP50Ms: percentile(delays, 0.5),
    tokenDelayP99Ms: percentile(delays, 0.99),
    tokenDelayMaxMs: delays.length ? (delays[delays.length - 1] ?? 0) : 0,
    maxConcurrentStreams: maxOverlap(
      results.flatMap((result) =>
        result.firstTokenAt !== undefined && result.doneAt !== undefined
          ? [{ start: result.firstTokenAt, end: result.doneAt }]
          : [],
      ),
    ),
    providerLatenessP99Ms: percentile(latenessSorted, 0.99),
    clientLoopDelayP99Ms: Math.max(0, ...answers.map((reply) => reply.loopDelayP99Ms)),
    /** The server and its workers, in % of one core. */
    backendCpuPercent: 0,
    backendSystemCpuPercent: 0,
    /** This process: the provider, mostly. */
    providerCpuPercent: 0,
    clientsCpuPercent: 0,
    /** Of all cores, every process included (ours and any other). */
    machineCpuPercent: 0,
    /** With --pin: how busy the load's core was; near 100 the load, not the server, set the pace. */
    loadCoreCpuPercent: undefined as number | undefined,
    /** Processes other than the bench's, in % of one core: other work on the machine skews it. */
    otherCpuPercent: 0,
    /** The server's CPU time over the streaming phase (asks included) per token delivered. */
    backendCpuUsPerToken: 0,
    backendLoopDelayP99Ms: 0,
    backendLoopDelayMaxMs: 0,
    backendRssBytes: 0,
  };
}
