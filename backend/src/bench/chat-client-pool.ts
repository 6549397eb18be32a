/**
 * The visitors' processes of `npm run bench:chat`, seen from the orchestrator: each is a forked
 * chat-clients.ts that takes one command at a time over IPC and answers it with one reply. The
 * pool sends a command to every process and gathers the replies.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { extname, join } from 'node:path';
import { type ClientCommand, type ClientReply } from './chat-clients';
import { type ClockSample, estimateClockOffset, wallNow } from './chat-stats';

/** The origin the visitors connect from: the default SITES allow it for the `demo` site. */
const ORIGIN = 'http://localhost:8080';
const SITE_KEY = 'demo';
/** Handshakes in flight per client process. */
const CONNECT_CONCURRENCY = 50;

export type Answers = Extract<ClientReply, { type: 'answers' }>;

/** Splits `total` as evenly as possible over `parts`. */
export const shares = (total: number, parts: number): number[] =>
  Array.from({ length: parts }, (_, index) => Math.floor((total + parts - 1 - index) / parts));

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

export class ClientPool {
  private offsets: number[] = [];

  private constructor(
    private readonly clients: Clients[],
    private readonly timeoutMs: number,
  ) {}

  /** Starts `processes` visitor processes and measures their clocks against ours. */
  static async start(processes: number, timeoutMs: number): Promise<ClientPool> {
    const pool = new ClientPool(
      Array.from({ length: processes }, (_, index) => Clients.start(index)),
      timeoutMs,
    );
    const offsets = await Promise.all(pool.clients.map((client) => client.clockOffset()));
    pool.offsets = offsets.map((offset) => offset.offsetMs);
    console.log(
      `client clocks: offsets ${offsets.map((o) => o.offsetMs.toFixed(3)).join(', ')} ms ` +
        `(round trips ${offsets.map((o) => o.roundTripMs.toFixed(3)).join(', ')} ms)`,
    );
    return pool;
  }

  get size(): number {
    return this.clients.length;
  }

  private every<T extends ClientReply['type']>(
    command: (index: number) => ClientCommand,
    expect: T,
    timeout = this.timeoutMs,
  ): Promise<Extract<ClientReply, { type: T }>[]> {
    return Promise.all(
      this.clients.map((client, index) => client.send(command(index), expect, timeout)),
    );
  }

  /** Each process fetches its share of `total` visitor tokens from the server at `url`. */
  async fetchTokens(url: string, total: number): Promise<void> {
    const counts = shares(total, this.size);
    await this.every(
      (index) => ({
        type: 'tokens',
        url,
        count: counts[index] ?? 0,
        siteKey: SITE_KEY,
        origin: ORIGIN,
      }),
      'tokens',
    );
  }

  /** Each process opens one connection per token it fetched. */
  async connect(url: string): Promise<{ connected: number; failed: number; summary: string }> {
    const started = performance.now();
    const replies = await this.every(
      () => ({ type: 'connect', url, origin: ORIGIN, concurrency: CONNECT_CONCURRENCY }),
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
  }

  async close(): Promise<void> {
    await this.every(() => ({ type: 'close' }), 'closed');
  }

  /**
   * Asks one question on each listed conversation (process `index` asks `lists[index]`, on its
   * open connections in order) and gathers what every visitor saw by `deadline` (our clock).
   */
  ask(
    lists: { id: number; askAt: number }[][],
    tokens: number,
    deadline: number,
  ): Promise<Answers[]> {
    return Promise.all(
      this.clients.map((client, index) =>
        client.send(
          {
            type: 'ask',
            conversations: lists[index] ?? [],
            tokens,
            offsetMs: this.offsets[index] ?? 0,
            deadline,
          },
          'answers',
          deadline - wallNow() + 30_000,
        ),
      ),
    );
  }

  stop(): void {
    for (const client of this.clients) client.stop();
  }
}
