/**
 * The visitors of `npm run bench:chat`, in a process of their own (the orchestrator forks several):
 * each holds real socket.io-client connections, authenticated as the widget is (a visitor token
 * from POST /v1/visitor-token, sent in the handshake's `auth`, from an allowed Origin). Commands
 * come from the orchestrator over IPC, one at a time; every command gets one reply.
 *
 * Clock: every timestamp this process reports is on the orchestrator's (the provider's) clock,
 * using the offset the orchestrator measured and sent with `ask`.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';
import {
  type AckResponse,
  type AskAccepted,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from '@lorechat/contracts';
import { benchTag, parseTokens, SequenceCheck, wallNow } from './chat-stats';

export type ClientCommand =
  /** Reply with this process's clock reading. */
  | { type: 'clock'; probe: number }
  /** Fetch `count` visitor tokens and keep them for the next `connect`. */
  | { type: 'tokens'; url: string; count: number; siteKey: string; origin: string }
  /** Open one connection per token fetched, at most `concurrency` handshakes at a time. */
  | { type: 'connect'; url: string; origin: string; concurrency: number }
  /** Ask one question per conversation on the connections, in order, each at its `askAt`. */
  | {
      type: 'ask';
      conversations: { id: number; askAt: number }[];
      tokens: number;
      /** This process's clock minus the orchestrator's, ms. */
      offsetMs: number;
      /** Orchestrator clock: answer with what has arrived by then. */
      deadline: number;
    }
  /** Close every connection. */
  | { type: 'close' };

/** What the visitor of one conversation saw. Times are on the orchestrator's clock, ms. */
export interface ConversationResult {
  id: number;
  askedAt: number;
  firstTokenAt?: number;
  doneAt?: number;
  /** First token's arrival minus the ask, as the visitor waited for it. */
  ttftMs?: number;
  /** The provider's own share of it: its first token's send time minus the request's arrival. */
  providerTtftMs?: number;
  received: number;
  lost: number;
  duplicated: number;
  /** Token seqs the provider never sent. */
  outOfRange: number;
  /** Tokens stamped with another conversation. */
  misrouted: number;
  /** `done.usage.outputTokens`. */
  outputTokens?: number;
  sources?: number;
  error?: string;
}

export type ClientReply =
  | { type: 'clock'; probe: number; at: number }
  | { type: 'tokens'; count: number }
  | { type: 'connected'; connected: number; failed: number; firstError?: string }
  | {
      type: 'answers';
      conversations: ConversationResult[];
      /** Every token's delay: arrival here minus the provider's send time, ms. */
      delays: Float64Array;
      loopDelayP99Ms: number;
      loopDelayMaxMs: number;
      /** This process's CPU time over the asks, ms. */
      cpuMs: number;
      timedOut: boolean;
    }
  | { type: 'closed' }
  | { type: 'failed'; message: string };

type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** Real questions, so retrieval does real work; each also carries its conversation's tag. */
const QUESTIONS = [
  'How do I deploy to production?',
  'Which environment variables configure the model provider?',
  'How does the widget reconnect after a network failure?',
  'How do I crawl my site into the index?',
  'What do the quotas limit and how do I change them?',
  'How are answers cited?',
  'How do I run LoreChat with Ollama?',
  'What does the health endpoint report?',
];

/** Sampling interval of the event-loop delay monitor, ms. */
const LOOP_RESOLUTION_MS = 5;

const tokens: string[] = [];
let sockets: ChatSocket[] = [];

function reply(message: ClientReply): void {
  process.send?.(message);
}

/** Runs `job(0…count−1)` with at most `limit` in flight. */
async function pool(count: number, limit: number, job: (index: number) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next;
      next += 1;
      await job(index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, count) }, worker));
}

async function fetchTokens(command: Extract<ClientCommand, { type: 'tokens' }>): Promise<void> {
  tokens.length = 0;
  await pool(command.count, 16, async () => {
    const response = await fetch(`${command.url}/v1/visitor-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: command.origin },
      body: JSON.stringify({ siteKey: command.siteKey }),
    });
    if (!response.ok) {
      throw new Error(`no visitor token: ${response.status} ${await response.text()}`);
    }
    tokens.push(((await response.json()) as { token: string }).token);
  });
  reply({ type: 'tokens', count: tokens.length });
}

function open(url: string, token: string, origin: string): Promise<ChatSocket> {
  const socket: ChatSocket = io(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    timeout: 60_000,
    auth: { token },
    extraHeaders: { origin },
  });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (error) => {
      socket.close();
      reject(error);
    });
  });
}

async function connect(command: Extract<ClientCommand, { type: 'connect' }>): Promise<void> {
  let failed = 0;
  let firstError: string | undefined;
  const opened: ChatSocket[] = [];
  await pool(tokens.length, command.concurrency, async (index) => {
    try {
      opened.push(await open(command.url, tokens[index]!, command.origin));
    } catch (error) {
      failed += 1;
      firstError ??= error instanceof Error ? error.message : String(error);
    }
  });
  sockets.push(...opened);
  tokens.length = 0;
  reply({ type: 'connected', connected: opened.length, failed, firstError });
}

function ask(command: Extract<ClientCommand, { type: 'ask' }>): void {
  const { offsetMs, tokens: expected } = command;
  const now = () => wallNow() - offsetMs;
  const delays: number[] = [];
  const loop = monitorEventLoopDelay({ resolution: LOOP_RESOLUTION_MS });
  loop.enable();
  const cpuBefore = process.cpuUsage();
  const timers: NodeJS.Timeout[] = [];
  let pending = command.conversations.length;
  const results: ConversationResult[] = [];
  let finished = false;

  const finish = (timedOut: boolean) => {
    if (finished) return;
    finished = true;
    loop.disable();
    timers.forEach(clearTimeout);
    for (const socket of sockets) socket.removeAllListeners();
    const cpu = process.cpuUsage(cpuBefore);
    reply({
      type: 'answers',
      conversations: results,
      delays: Float64Array.from(delays),
      // The monitor's readings include its own interval.
      loopDelayP99Ms: Math.max(0, loop.percentile(99) / 1e6 - LOOP_RESOLUTION_MS),
      loopDelayMaxMs: Math.max(0, loop.max / 1e6 - LOOP_RESOLUTION_MS),
      cpuMs: (cpu.user + cpu.system) / 1000,
      timedOut,
    });
  };

  command.conversations.forEach(({ id, askAt }, index) => {
    const socket = sockets[index];
    if (!socket) throw new Error(`conversation ${id} has no connection (${sockets.length} open)`);
    const check = new SequenceCheck(expected);
    const result: ConversationResult = {
      id,
      askedAt: 0,
      received: 0,
      lost: expected,
      duplicated: 0,
      outOfRange: 0,
      misrouted: 0,
    };
    results.push(result);
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      result.received = check.total;
      result.lost = check.lost;
      result.duplicated = check.duplicated;
      result.outOfRange = check.outOfRange;
      pending -= 1;
      if (pending === 0) finish(false);
    };
    socket.on('token', ({ text }) => {
      const at = now();
      for (const mark of parseTokens(text)) {
        if (mark.conversation !== id) {
          result.misrouted += 1;
          continue;
        }
        check.see(mark.seq);
        delays.push(at - mark.sentAt);
        if (result.firstTokenAt === undefined) {
          result.firstTokenAt = at;
          result.ttftMs = at - result.askedAt;
          if (mark.requestReceivedAt !== undefined) {
            result.providerTtftMs = mark.sentAt - mark.requestReceivedAt;
          }
        }
      }
    });
    socket.on('sources', ({ sources }) => {
      result.sources = sources.length;
    });
    socket.on('done', ({ usage, cancelled }) => {
      result.doneAt = now();
      result.outputTokens = usage.outputTokens;
      if (cancelled) result.error = 'cancelled';
      settle();
    });
    socket.on('error', (error) => {
      result.error = `${error.code}: ${error.message}`;
      settle();
    });
    socket.on('disconnect', (reason) => {
      result.error ??= `disconnected: ${reason}`;
      settle();
    });
    const question = `${QUESTIONS[id % QUESTIONS.length]} ${benchTag(id, expected)}`;
    timers.push(
      setTimeout(
        () => {
          result.askedAt = now();
          socket.emit('ask', { text: question }, (response: AckResponse<AskAccepted>) => {
            if (!response.ok) {
              result.error = `ask refused: ${response.error.code}: ${response.error.message}`;
              settle();
            }
          });
        },
        Math.max(0, askAt - now()),
      ),
    );
  });
  timers.push(setTimeout(() => finish(true), Math.max(0, command.deadline - now())));
  // Fewer conversations than client processes: this one has none and nothing to wait for.
  if (pending === 0) finish(false);
}

function close(): void {
  for (const socket of sockets) socket.disconnect();
  sockets = [];
  reply({ type: 'closed' });
}

function run(command: ClientCommand): void {
  const failed = (error: unknown) =>
    reply({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  try {
    switch (command.type) {
      case 'clock':
        reply({ type: 'clock', probe: command.probe, at: wallNow() });
        return;
      case 'tokens':
        fetchTokens(command).catch(failed);
        return;
      case 'connect':
        connect(command).catch(failed);
        return;
      case 'ask':
        ask(command);
        return;
      case 'close':
        close();
        return;
    }
  } catch (error) {
    failed(error);
  }
}

if (process.send) {
  process.on('message', (command: ClientCommand) => run(command));
  // The orchestrator going away (a crash, Ctrl-C) ends this process too.
  process.on('disconnect', () => process.exit(0));
}
