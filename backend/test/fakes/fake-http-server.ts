/**
 * What the provider fakes have in common: a real HTTP server on 127.0.0.1, scripted answers,
 * a record of the requests, and a count of the responses the client closed early. Each fake adds
 * its provider's wire format on top.
 */
import { once } from 'node:events';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { type AddressInfo } from 'node:net';

/**
 * How a fake answers: one behaviour for every request, a queue taken one per request (the last one
 * repeats once the queue is down to it), or a function of the request.
 */
export type FakeScript<Request, Behaviour> =
  Behaviour | Behaviour[] | ((request: Request) => Behaviour);

/** A request as a fake records it. */
export interface FakeRequest<Body> {
  path: string;
  headers: IncomingHttpHeaders;
  /** The JSON body as the client sent it, typed but not validated. */
  body: Body;
}

/** A response the fake has started and may not finish. */
export interface WatchedResponse {
  /** Aborts when the client closes the response before the server has finished it. */
  readonly clientGone: AbortSignal;
  /** Call before the server drops the connection itself, so the drop is not counted as the client's. */
  endedByServer(): void;
}

export abstract class FakeHttpServer<Request, Behaviour> {
  /** Every request received, oldest first. */
  readonly requests: Request[] = [];
  private readonly server: Server;
  private origin = '';
  private closedByClient = 0;
  private connectionsOpened = 0;
  private abortWaiters: { count: number; resolve: () => void }[] = [];

  protected constructor(
    private readonly defaultBehaviour: Behaviour,
    private script: FakeScript<Request, Behaviour> = defaultBehaviour,
  ) {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => res.destroy(error as Error));
    });
    this.server.on('connection', () => (this.connectionsOpened += 1));
  }

  /** How many TCP connections clients have opened: fewer than requests when they keep them alive. */
  get connections(): number {
    return this.connectionsOpened;
  }

  /** Answers one request: parse it, record it, reply in the provider's wire format. */
  protected abstract handle(req: IncomingMessage, res: ServerResponse): Promise<void>;

  /** Starts listening on `port`, a free one by default. */
  async listen(port = 0): Promise<this> {
    this.server.listen(port, '127.0.0.1');
    await once(this.server, 'listening');
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /**
   * `http://127.0.0.1:<port>`. Still set after `close`, so a test can aim at a port that refuses
   * connections.
   */
  get url(): string {
    return this.origin;
  }

  /**
   * How many responses the client closed before the server finished them: a cancel, a timeout or a
   * disconnect that really aborted the HTTP request rather than just stopping reading.
   */
  get abortedRequests(): number {
    return this.closedByClient;
  }

  /** Resolves once `abortedRequests` reaches `count`; rejects after `timeoutMs` rather than hang. */
  async waitForAbort(count = 1, timeoutMs = 2000): Promise<void> {
    if (this.closedByClient >= count) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        this.abortWaiters.push({ count, resolve });
        timer = setTimeout(() => {
          const closed = this.closedByClient;
          reject(
            new Error(
              `the client closed ${closed} of ${count} connections early within ${timeoutMs} ms`,
            ),
          );
        }, timeoutMs);
      });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Replaces the script for the requests that follow. */
  setScript(script: FakeScript<Request, Behaviour>): void {
    this.script = script;
  }

  /** Stops the server, dropping any connection still open (a stalled stream, a kept-alive socket). */
  async close(): Promise<void> {
    const closed = once(this.server, 'close');
    this.server.close();
    this.server.closeAllConnections();
    await closed;
  }

  /** The scripted behaviour for `request`, taking it off the queue if the script is one. */
  protected nextBehaviour(request: Request): Behaviour {
    if (typeof this.script === 'function') {
      // Behaviours are plain data, so a function can only be the script's function form.
      return (this.script as (request: Request) => Behaviour)(request);
    }
    if (!Array.isArray(this.script)) return this.script;
    const behaviour = this.script.length > 1 ? this.script.shift() : this.script[0];
    return behaviour ?? this.defaultBehaviour;
  }

  /** Counts `res` as aborted if the client closes it before the server ends it. */
  protected watch(res: ServerResponse): WatchedResponse {
    const clientGone = new AbortController();
    let endedByServer = false;
    res.on('close', () => {
      if (res.writableEnded || endedByServer) return;
      clientGone.abort();
      this.recordAbort();
    });
    return { clientGone: clientGone.signal, endedByServer: () => (endedByServer = true) };
  }

  private recordAbort(): void {
    this.closedByClient += 1;
    const reached = this.abortWaiters.filter((waiter) => waiter.count <= this.closedByClient);
    this.abortWaiters = this.abortWaiters.filter((waiter) => waiter.count > this.closedByClient);
    for (const waiter of reached) waiter.resolve();
  }
}

/** The request's body as bytes. */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of req) parts.push(part as Buffer);
  return Buffer.concat(parts);
}

/** A body parsed as JSON, or undefined when it is empty or not JSON. */
export function parseJson<Body>(body: Buffer): Body | undefined {
  try {
    return JSON.parse(body.toString('utf8')) as Body;
  } catch {
    return undefined;
  }
}

/** The request's JSON body, or undefined when it is empty or not JSON. */
export async function readJson<Body>(req: IncomingMessage): Promise<Body | undefined> {
  return parseJson<Body>(await readBody(req));
}

/** Starts a server-sent-events response, flushing the headers before the first event. */
export function startEventStream(
  res: ServerResponse,
  requestIdHeader: Record<string, string>,
): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    ...requestIdHeader,
  });
  res.flushHeaders();
}
