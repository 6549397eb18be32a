/**
 * `npm run bench:chat [-- --conversations N] [--tokens N] [--rate N] [--idle N]
 *   [--first-token-ms N] [--ask-window-ms N] [--client-processes N] [--timeout-s N]
 *   [--backend-env NAME=VALUE]… [--cpu-prof DIR]`
 *
 * Load test of the chat path, end to end: starts a local OpenAI-compatible provider that streams
 * every answer at a fixed rate (chat-provider.ts, in this process), the real backend
 * (`dist/main.js`, as `npm start` runs it, configured for that provider) and visitors in separate
 * processes (chat-clients.ts: real socket.io-client connections with visitor tokens, as the widget
 * connects). Everything stays on 127.0.0.1. Twenty short answers warm the backend up first.
 *
 * 1. Idle: opens `--idle` connections that ask nothing and reports the backend's resident memory
 *    per connection (RSS after over RSS before, both after a full garbage collection).
 * 2. Streaming: opens `--conversations` connections, then each asks one question, the asks spread
 *    over `--ask-window-ms` so that every answer streams at once. Every token is stamped by the
 *    provider (conversation, sequence number, send time), so the clients count lost, duplicated
 *    and misrouted tokens exactly and time each token from its real send.
 *
 * Reports time to first token minus the provider's own (p50/p99), delay per token from the
 * provider's write to the visitor's receipt (p50/p99), tokens lost or duplicated, memory per idle
 * connection and the most answers streaming at one instant, with the CPU each party used (the
 * cores are shared: a starved provider or client would skew the figures); the last line is one
 * JSON object.
 * Exits 1 if the bench itself fails (a timeout, a process crash), 0 otherwise, targets met or not
 * (`targets_met` says which).
 */
import { type ChildProcess, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { extname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { type ProbeReply, type ProbeRequest } from './chat-backend-probe';
import { type ClientCommand, type ClientReply, type ConversationResult } from './chat-clients';
import { FixedRateProvider } from './chat-provider';
import { freePort } from './free-port';
import {
  type ClockSample,
  estimateClockOffset,
  maxOverlap,
  percentile,
  round,
  sorted,
  wallNow,
} from './chat-stats';

/** The origin the visitors connect from: the default SITES allow it for the `demo` site. */
const ORIGIN = 'http://localhost:8080';
const SITE_KEY = 'demo';
/** Handshakes in flight per client process. */
const CONNECT_CONCURRENCY = 50;
/** Warm-up answers, before anything is measured: their ids start at WARM_UP_IDS. */
const WARM_UP_CONVERSATIONS = 20;
const WARM_UP_TOKENS = 10;
const WARM_UP_IDS = 1_000_000;
/** Longer than the backend's HTTP keep-alive (5 s), so token requests' connections are closed. */
const KEEP_ALIVE_SETTLE_MS = 6_000;

const TARGETS = {
  conversations: 1000,
  tokens: 200,
  rate: 50,
  idle: 10_000,
  tokenDelayP99Ms: 25,
  ttftAddedP50Ms: 15,
  idleKbPerConnection: 40,
};

const log = (line: string) => console.log(line);

function wholeNumber(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`--${name} must be a whole number of at least ${min}, not "${text}"`);
  }
  return value;
}

/** A process of visitors: one command at a time, each answered by one reply. */
class Clients {
  private waiting?: { resolve: (reply: ClientReply) => void; reject: (error: Error) => void };
  private exited?: string;

  constructor(
    readonly index: number,
    private readonly child: ChildProcess,
  ) {
    child.on('message', (reply: ClientReply) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      if (reply.type === 'failed') {
        waiting?.reject(new Error(`client process ${index}: ${reply.message}`));
      } else {
        waiting?.resolve(reply);
      }
    });
    child.on('exit', (code, signal) => {
      this.exited = `client process ${index} exited (${signal ?? code})`;
      this.waiting?.reject(new Error(this.exited));
      this.waiting = undefined;
    });
  }

  static start(index: number): Clients {
    const script = join(__dirname, `chat-clients${extname(__filename)}`);
    return new Clients(index, fork(script, [], { serialization: 'advanced', stdio: 'inherit' }));
  }

  send<T extends ClientReply['type']>(
    command: ClientCommand,
    expect: T,
    timeoutMs: number,
  ): Promise<Extract<ClientReply, { type: T }>> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting = undefined;
        reject(new Error(`client process ${this.index}: no reply to "${command.type}" in time`));
      }, timeoutMs);
      this.waiting = {
        resolve: (reply) => {
          clearTimeout(timer);
          if (reply.type === expect) resolve(reply as Extract<ClientReply, { type: T }>);
          else reject(new Error(`client process ${this.index}: "${reply.type}", not "${expect}"`));
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      this.child.send(command);
    });
  }

  /** This process's clock minus ours, from the fastest of 30 round trips. */
  async clockOffset(): Promise<{ offsetMs: number; roundTripMs: number }> {
    const samples: ClockSample[] = [];
    for (let probe = 0; probe < 30; probe += 1) {
      const sentAt = wallNow();
      const reply = await this.send({ type: 'clock', probe }, 'clock', 5_000);
      samples.push({ sentAt, remoteAt: reply.at, receivedAt: wallNow() });
    }
    return estimateClockOffset(samples);
  }

  stop(): void {
    if (this.child.connected) this.child.disconnect();
  }
}

/** The backend as `npm start` runs it, with the probe preloaded and an IPC channel to it. */
class Backend {
  private exited?: string;
  private readonly output: string[] = [];
  private waiting?: (reply: ProbeReply) => void;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    const keep = (chunk: Buffer) => {
      const text = chunk.toString();
      process.stderr.write(text.replace(/^(?=.)/gm, '[backend] '));
      this.output.push(text);
      if (this.output.length > 50) this.output.shift();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('message', (reply: ProbeReply) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.(reply);
    });
    child.on('exit', (code, signal) => {
      this.exited = `the backend exited (${signal ?? code})`;
    });
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  static async start(env: NodeJS.ProcessEnv, cpuProfDir?: string): Promise<Backend> {
    const ext = extname(__filename);
    const main = resolve(__dirname, `../main${ext}`);
    const probe = resolve(__dirname, `chat-backend-probe${ext}`);
    const child = fork(main, [], {
      env,
      execArgv: [
        ...process.execArgv,
        '--expose-gc',
        '--require',
        probe,
        ...(cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : []),
      ],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    // Whatever happens to this process, the backend does not outlive it.
    process.once('exit', () => child.kill('SIGKILL'));
    const backend = new Backend(child, `http://127.0.0.1:${env.PORT}`);
    await backend.ready();
    return backend;
  }

  /** Waits until /health answers with the docs indexed. */
  private async ready(): Promise<void> {
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`${this.exited}:\n${this.output.join('')}`);
      try {
        const response = await fetch(`${this.url}/health`);
        const health = (await response.json()) as {
          dependencies?: { index?: { documents?: number } };
        };
        if (response.ok && (health.dependencies?.index?.documents ?? 0) > 0) return;
      } catch {
        // Not listening yet.
      }
      await sleep(200);
    }
    throw new Error('the backend was not ready within 120 s');
  }

  probe(gc: boolean): Promise<ProbeReply> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the backend probe did not answer')), 30_000);
      this.waiting = (reply) => {
        clearTimeout(timer);
        resolve(reply);
      };
      this.child.send({ type: 'probe', gc } satisfies ProbeRequest);
    });
  }

  /** Resident memory after a full collection, sampled until two readings agree within 1%. */
  async settledMemory(): Promise<ProbeReply> {
    let previous = await this.probe(true);
    for (let attempt = 0; attempt < 10; attempt += 1) {
      await sleep(1000);
      const current = await this.probe(true);
      if (Math.abs(current.rssBytes - previous.rssBytes) <= previous.rssBytes * 0.01) {
        return current;
      }
      previous = current;
    }
    return previous;
  }

  /** Peak resident memory since start (VmHWM), bytes. */
  peakRss(): number {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
      return kb ? Number(kb) * 1024 : 0;
    } catch {
      return 0;
    }
  }

  /** SIGTERM (the backend drains and exits), then SIGKILL if it takes over 15 s. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((done) => this.child.once('exit', () => done()));
    this.child.kill('SIGTERM');
    const killed = await Promise.race([gone.then(() => false), sleep(15_000).then(() => true)]);
    if (killed) {
      this.child.kill('SIGKILL');
      await gone;
    }
  }
}

/** The machine's busy and total CPU time over all cores since boot, in clock ticks (/proc/stat). */
function machineCpu(): { busy: number; total: number } {
  try {
    const fields = readFileSync('/proc/stat', 'utf8')
      .split('\n', 1)[0]!
      .trim()
      .split(/\s+/)
      .slice(1);
    const ticks = fields.map(Number);
    const total = ticks.reduce((sum, value) => sum + value, 0);
    // idle and iowait
    return { busy: total - (ticks[3] ?? 0) - (ticks[4] ?? 0), total };
  } catch {
    return { busy: 0, total: 1 };
  }
}

interface IdleResult {
  connected: number;
  failed: number;
  /** Resident memory, KB. */
  kbPerConnection: number;
  /** The JS heap's part of it, KB. */
  heapKbPerConnection: number;
}

/** Splits `total` as evenly as possible over `parts`. */
const shares = (total: number, parts: number) =>
  Array.from({ length: parts }, (_, index) => Math.floor((total + parts - 1 - index) / parts));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      conversations: { type: 'string', default: String(TARGETS.conversations) },
      tokens: { type: 'string', default: String(TARGETS.tokens) },
      rate: { type: 'string', default: String(TARGETS.rate) },
      idle: { type: 'string', default: String(TARGETS.idle) },
      'first-token-ms': { type: 'string', default: '100' },
      'ask-window-ms': { type: 'string' },
      'client-processes': { type: 'string', default: '4' },
      'timeout-s': { type: 'string', default: '120' },
      'backend-env': { type: 'string', multiple: true, default: [] },
      'cpu-prof': { type: 'string' },
    },
  });
  const conversations = wholeNumber('conversations', values.conversations, 0);
  const tokens = wholeNumber('tokens', values.tokens, 1);
  const rate = wholeNumber('rate', values.rate, 1);
  const idle = wholeNumber('idle', values.idle, 0);
  const firstTokenMs = wholeNumber('first-token-ms', values['first-token-ms'], 0);
  const processes = wholeNumber('client-processes', values['client-processes'], 1);
  const timeoutMs = wholeNumber('timeout-s', values['timeout-s'], 1) * 1000;
  const streamMs = firstTokenMs + ((tokens - 1) * 1000) / rate;
  // Asks spread over half an answer's length: the last asks before the first answers end.
  const askWindowMs = values['ask-window-ms']
    ? wholeNumber('ask-window-ms', values['ask-window-ms'], 0)
    : Math.round(streamMs / 2);
  const backendEnv = Object.fromEntries(
    values['backend-env'].map((setting) => {
      const equals = setting.indexOf('=');
      if (equals < 1) throw new Error(`--backend-env takes NAME=VALUE, not "${setting}"`);
      return [setting.slice(0, equals), setting.slice(equals + 1)];
    }),
  );

  const provider = new FixedRateProvider({ rate, firstTokenMs });
  const providerUrl = await provider.listen();
  const dataDir = mkdtempSync(join(tmpdir(), 'lorechat-bench-chat-'));
  const port = await freePort();
  log(
    `bench:chat: ${conversations} conversations × ${tokens} tokens at ${rate} tokens/s ` +
      `(first token after ${firstTokenMs} ms, asks over ${askWindowMs} ms), ${idle} idle connections, ` +
      `${processes} client processes`,
  );
  const env: NodeJS.ProcessEnv = {
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
    CONVERSATION_MAX_COUNT: String(Math.max(10_000, conversations)),
    DRAIN_TIMEOUT_MS: '2000',
    ...backendEnv,
  };

  const clients: Clients[] = [];
  let backend: Backend | undefined;
  try {
    const startedAt = performance.now();
    backend = await Backend.start(env, values['cpu-prof']);
    log(`backend ready at ${backend.url} in ${Math.round(performance.now() - startedAt)} ms`);
    for (let index = 0; index < processes; index += 1) clients.push(Clients.start(index));
    const offsets = await Promise.all(clients.map((client) => client.clockOffset()));
    log(
      `client clocks: offsets ${offsets.map((o) => o.offsetMs.toFixed(3)).join(', ')} ms ` +
        `(round trips ${offsets.map((o) => o.roundTripMs.toFixed(3)).join(', ')} ms)`,
    );
    const everyClient = <T extends ClientReply['type']>(
      command: (index: number) => ClientCommand,
      expect: T,
      timeout = timeoutMs,
    ) => Promise.all(clients.map((client, index) => client.send(command(index), expect, timeout)));
    /** Each client process fetches its share of `total` visitor tokens. */
    const fetchTokens = async (total: number) => {
      const counts = shares(total, processes);
      await everyClient(
        (index) => ({
          type: 'tokens',
          url: backend!.url,
          count: counts[index] ?? 0,
          siteKey: SITE_KEY,
          origin: ORIGIN,
        }),
        'tokens',
      );
    };
    /** Each client process opens one connection per token it fetched. */
    const connect = async () => {
      const started = performance.now();
      const replies = await everyClient(
        () => ({
          type: 'connect',
          url: backend!.url,
          origin: ORIGIN,
          concurrency: CONNECT_CONCURRENCY,
        }),
        'connected',
      );
      const connected = replies.reduce((sum, reply) => sum + reply.connected, 0);
      const failed = replies.reduce((sum, reply) => sum + reply.failed, 0);
      const firstError = replies.find((reply) => reply.firstError)?.firstError;
      const seconds = (performance.now() - started) / 1000;
      return {
        connected,
        failed,
        summary:
          `${connected} connections open in ${seconds.toFixed(1)} s` +
          (failed ? `, ${failed} failed (${firstError})` : ''),
      };
    };
    const closeConnections = async () => {
      await everyClient(() => ({ type: 'close' }), 'closed');
    };

    // Warm-up: the first connections and answers load code and fill caches no later one needs.
    await fetchTokens(WARM_UP_CONVERSATIONS);
    const warm = await connect();
    if (warm.connected > 0) {
      const warmTokens = Math.min(tokens, WARM_UP_TOKENS);
      const perClient = shares(warm.connected, processes);
      const startAt = wallNow() + 200;
      const deadline = startAt + firstTokenMs + (warmTokens * 1000) / rate + timeoutMs;
      let id = WARM_UP_IDS;
      await Promise.all(
        clients.map((client, index) =>
          client.send(
            {
              type: 'ask',
              conversations: Array.from({ length: perClient[index] ?? 0 }, () => ({
                id: id++,
                askAt: startAt,
              })),
              tokens: warmTokens,
              offsetMs: offsets[index]!.offsetMs,
              deadline,
            },
            'answers',
            deadline - wallNow() + 30_000,
          ),
        ),
      );
    }
    await closeConnections();

    // 1. Idle connections.
    let idleResult: IdleResult | undefined;
    if (idle > 0) {
      log(`idle: fetching ${idle} visitor tokens`);
      await fetchTokens(idle);
      await sleep(KEEP_ALIVE_SETTLE_MS);
      const before = await backend.settledMemory();
      const opened = await connect();
      log(`idle: ${opened.summary}`);
      await sleep(3000);
      const after = await backend.settledMemory();
      const perConnection = (bytes: number) =>
        opened.connected > 0 ? bytes / 1024 / opened.connected : 0;
      idleResult = {
        connected: opened.connected,
        failed: opened.failed,
        kbPerConnection: perConnection(after.rssBytes - before.rssBytes),
        heapKbPerConnection: perConnection(after.heapUsedBytes - before.heapUsedBytes),
      };
      log(
        `idle: backend RSS ${(before.rssBytes / 2 ** 20).toFixed(1)} → ${(after.rssBytes / 2 ** 20).toFixed(1)} MB ` +
          `= ${idleResult.kbPerConnection.toFixed(1)} KB per connection ` +
          `(JS heap ${idleResult.heapKbPerConnection.toFixed(1)} KB)`,
      );
      await closeConnections();
      await sleep(2000);
    }

    // 2. Streaming conversations.
    let stream: ReturnType<typeof summarise> | undefined;
    if (conversations > 0) {
      await fetchTokens(conversations);
      const opened = await connect();
      log(`streaming: ${opened.summary}`);
      if (opened.connected < conversations) {
        throw new Error(`only ${opened.connected} of ${conversations} connections opened`);
      }
      await sleep(1000);
      const latenessBefore = provider.lateness.length;
      const probeBefore = await backend.probe(false);
      const ownCpuBefore = process.cpuUsage();
      const machineBefore = machineCpu();
      const startAt = wallNow() + 500;
      const deadline = startAt + askWindowMs + streamMs + timeoutMs;
      // Conversation i asks at startAt + window × i / N; the processes take turns.
      const lists = clients.map(() => [] as { id: number; askAt: number }[]);
      for (let id = 0; id < conversations; id += 1) {
        lists[id % processes]!.push({ id, askAt: startAt + (askWindowMs * id) / conversations });
      }
      log(`streaming: asking`);
      const answers = await Promise.all(
        clients.map((client, index) =>
          client.send(
            {
              type: 'ask',
              conversations: lists[index]!,
              tokens,
              offsetMs: offsets[index]!.offsetMs,
              deadline,
            },
            'answers',
            deadline - wallNow() + 30_000,
          ),
        ),
      );
      const probeAfter = await backend.probe(false);
      const wallMs = wallNow() - startAt;
      const ownCpu = process.cpuUsage(ownCpuBefore);
      const machineAfter = machineCpu();
      stream = summarise(answers, tokens, provider.lateness.slice(latenessBefore));
      const cpuMs = probeAfter.cpuMs - probeBefore.cpuMs;
      stream.backendCpuPercent = (cpuMs / wallMs) * 100;
      stream.backendSystemCpuPercent =
        ((probeAfter.systemCpuMs - probeBefore.systemCpuMs) / wallMs) * 100;
      stream.providerCpuPercent = ((ownCpu.user + ownCpu.system) / 1000 / wallMs) * 100;
      stream.clientsCpuPercent =
        (answers.reduce((total, reply) => total + reply.cpuMs, 0) / wallMs) * 100;
      stream.machineCpuPercent =
        ((machineAfter.busy - machineBefore.busy) / (machineAfter.total - machineBefore.total)) *
        100;
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
      stream.backendCpuUsPerToken = stream.tokensReceived
        ? (cpuMs * 1000) / stream.tokensReceived
        : 0;
      stream.backendLoopDelayP99Ms = probeAfter.loopDelayP99Ms;
      stream.backendLoopDelayMaxMs = probeAfter.loopDelayMaxMs;
      stream.backendRssBytes = probeAfter.rssBytes;
      await closeConnections();
      if (answers.some((reply) => reply.timedOut)) {
        printResult(conversations, tokens, rate, idle, stream, idleResult, backend.peakRss());
        throw new Error(
          `timed out: ${stream.completed} of ${conversations} answers finished within ${timeoutMs / 1000} s of the last one's due end`,
        );
      }
    }
    printResult(conversations, tokens, rate, idle, stream, idleResult, backend.peakRss());
  } finally {
    for (const client of clients) client.stop();
    await backend?.stop();
    await provider.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function summarise(
  answers: Extract<ClientReply, { type: 'answers' }>[],
  tokens: number,
  lateness: number[],
) {
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
    backendCpuPercent: 0,
    backendSystemCpuPercent: 0,
    /** This process: the provider, mostly. */
    providerCpuPercent: 0,
    clientsCpuPercent: 0,
    /** Of all cores, every process included (ours and any other). */
    machineCpuPercent: 0,
    /** Processes other than the bench's, in % of one core: other work on the machine skews it. */
    otherCpuPercent: 0,
    /** The backend's CPU time over the streaming phase (asks included) per token delivered. */
    backendCpuUsPerToken: 0,
    backendLoopDelayP99Ms: 0,
    backendLoopDelayMaxMs: 0,
    backendRssBytes: 0,
  };
}

function printResult(
  conversations: number,
  tokens: number,
  rate: number,
  idle: number,
  stream: ReturnType<typeof summarise> | undefined,
  idleResult: IdleResult | undefined,
  peakRssBytes: number,
): void {
  const atTargetLoad =
    conversations >= TARGETS.conversations &&
    tokens >= TARGETS.tokens &&
    rate >= TARGETS.rate &&
    idle >= TARGETS.idle;
  const streamingMet =
    stream !== undefined &&
    stream.completed === conversations &&
    stream.tokensLost === 0 &&
    stream.tokensDuplicated === 0 &&
    stream.tokensMisrouted === 0 &&
    stream.maxConcurrentStreams === conversations &&
    stream.tokenDelayP99Ms <= TARGETS.tokenDelayP99Ms &&
    stream.ttftAddedP50Ms <= TARGETS.ttftAddedP50Ms;
  const idleMet =
    idleResult !== undefined &&
    idleResult.failed === 0 &&
    idleResult.kbPerConnection <= TARGETS.idleKbPerConnection;
  const result = {
    conversations,
    tokens_per_conversation: tokens,
    tokens_per_second: rate,
    completed: stream?.completed ?? 0,
    errors: stream?.errors ?? 0,
    ...(stream?.firstError ? { first_error: stream.firstError } : {}),
    tokens_expected: stream?.tokensExpected ?? 0,
    tokens_received: stream?.tokensReceived ?? 0,
    tokens_lost: stream?.tokensLost ?? 0,
    tokens_duplicated: stream?.tokensDuplicated ?? 0,
    tokens_misrouted: stream?.tokensMisrouted ?? 0,
    usage_mismatches: stream?.usageMismatches ?? 0,
    ttft_added_p50_ms: round(stream?.ttftAddedP50Ms ?? 0),
    ttft_added_p99_ms: round(stream?.ttftAddedP99Ms ?? 0),
    token_delay_p50_ms: round(stream?.tokenDelayP50Ms ?? 0),
    token_delay_p99_ms: round(stream?.tokenDelayP99Ms ?? 0),
    token_delay_max_ms: round(stream?.tokenDelayMaxMs ?? 0),
    max_concurrent_streams: stream?.maxConcurrentStreams ?? 0,
    provider_lateness_p99_ms: round(stream?.providerLatenessP99Ms ?? 0),
    client_loop_delay_p99_ms: round(stream?.clientLoopDelayP99Ms ?? 0),
    backend_cpu_percent: round(stream?.backendCpuPercent ?? 0, 0),
    backend_system_cpu_percent: round(stream?.backendSystemCpuPercent ?? 0, 0),
    provider_cpu_percent: round(stream?.providerCpuPercent ?? 0, 0),
    clients_cpu_percent: round(stream?.clientsCpuPercent ?? 0, 0),
    machine_cpu_percent: round(stream?.machineCpuPercent ?? 0, 0),
    other_cpu_percent: round(stream?.otherCpuPercent ?? 0, 0),
    backend_cpu_us_per_token: round(stream?.backendCpuUsPerToken ?? 0, 1),
    backend_loop_delay_p99_ms: round(stream?.backendLoopDelayP99Ms ?? 0),
    backend_loop_delay_max_ms: round(stream?.backendLoopDelayMaxMs ?? 0),
    idle_connections: idleResult?.connected ?? 0,
    idle_failed: idleResult?.failed ?? 0,
    idle_kb_per_connection: round(idleResult?.kbPerConnection ?? 0, 1),
    idle_heap_kb_per_connection: round(idleResult?.heapKbPerConnection ?? 0, 1),
    rss_mb: Math.round((stream?.backendRssBytes ?? 0) / 2 ** 20),
    peak_rss_mb: Math.round(peakRssBytes / 2 ** 20),
    at_target_load: atTargetLoad,
    targets_met: atTargetLoad && streamingMet && idleMet,
  };
  console.table(Object.entries(result).map(([metric, value]) => ({ metric, value })));
  console.log(JSON.stringify(result));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
