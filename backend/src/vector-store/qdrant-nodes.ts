import { Logger } from '@nestjs/common';
import { QdrantClient, QdrantClientTimeoutError, type Schemas } from '@qdrant/js-client-rest';
import { type QdrantReplication } from '../config/app-config';

/** What the store knows about one node it was given. */
export interface QdrantNodeState {
  url: string;
  /** Set while the node is thought unreachable: since when, and why. */
  down?: { since: Date; reason: string };
}

/** How long a probe of a node thought down may take: a health check waits for it. */
const PROBE_TIMEOUT_MS = 1000;

/**
 * The Qdrant nodes a store may talk to, one REST client each, and the choice among them.
 *
 * Every node of a Qdrant cluster answers every request (it forwards to the peers holding the
 * shards), so a request that cannot reach one node is sent to the next. The store sticks to the
 * node that last answered; a node that failed is tried again only when every other one fails too,
 * or when a probe (`probe`, run by health checks) finds it ready again. Only failures of the node
 * itself move to another node: a refused or dropped connection, no answer within the timeout, or a
 * 502/503/504 from a proxy in front of it. Qdrant's own answers (400, 404, 500) are the request's
 * fault and would be the same on every node. Every request the store sends may be sent twice:
 * writes overwrite points by id and delete by filter, so repeating one changes nothing.
 */
export class QdrantNodes {
  private readonly logger = new Logger('QdrantStore');
  private readonly nodes: { url: string; state: QdrantNodeState; client: QdrantClient }[];
  private current = 0;

  constructor(
    urls: string[],
    private readonly apiKey: string | undefined,
    timeoutMs: number,
  ) {
    if (urls.length === 0) throw new Error('QdrantNodes needs at least one node URL');
    this.nodes = urls.map((url) => ({
      url: url.replace(/\/+$/, ''),
      state: { url: displayUrl(url) },
      client: new QdrantClient({
        url,
        apiKey,
        timeout: timeoutMs,
        // The client's version check runs in the background and can only print a warning; the
        // store's own first requests report an unreachable or incompatible server as an error.
        checkCompatibility: false,
      }),
    }));
  }

  /** The nodes as error messages and health checks show them: no credentials, no query string. */
  get endpoint(): string {
    return this.nodes.map(({ state }) => state.url).join(', ');
  }

  /** Each node's URL and, if it is thought down, since when and why. */
  states(): QdrantNodeState[] {
    return this.nodes.map(({ state }) => ({ ...state }));
  }

  /** What a health check shows of the nodes thought down, or undefined when every node answers. */
  describeDown(): string | undefined {
    const down = this.nodes.filter(({ state }) => state.down);
    if (down.length === 0) return undefined;
    const reasons = down.map(
      ({ state }) =>
        `Qdrant node ${state.url} unreachable since ${state.down!.since.toISOString()} ` +
        `(${state.down!.reason})`,
    );
    const up = this.nodes.length - down.length;
    return `${reasons.join('; ')}; ${up} of ${this.nodes.length} nodes answer`;
  }

  /**
   * Runs `request` on the current node, then on each other node in turn while the failure is the
   * node's. Throws an error naming the operation and every node tried, never the API key.
   */
  async run<T>(operation: string, request: (client: QdrantClient) => Promise<T>): Promise<T> {
    const failures: string[] = [];
    for (const index of this.order()) {
      const node = this.nodes[index]!;
      try {
        const result = await request(node.client);
        this.answered(index);
        return result;
      } catch (error) {
        if (!isNodeFailure(error)) throw this.failure(operation, describeError(error), node);
        this.markDown(index, describeError(error));
        failures.push(`${node.state.url}: ${describeError(error)}`);
      }
    }
    throw this.failure(
      operation,
      this.nodes.length === 1
        ? (this.nodes[0]!.state.down?.reason ?? 'no answer')
        : `no node answered (${failures.join('; ')})`,
    );
  }

  /**
   * Asks each node thought down whether it is ready again (Qdrant's `/readyz`, which a cluster node
   * answers with 503 until its shards are ready), so a node that came back is reported back even
   * while the store keeps using another one.
   */
  async probe(): Promise<void> {
    await Promise.all(
      this.nodes.map(async (node, index) => {
        if (!node.state.down) return;
        try {
          const response = await fetch(`${node.url}/readyz`, {
            headers: this.apiKey ? { 'api-key': this.apiKey } : {},
            signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
          });
          await response.body?.cancel();
          if (response.ok) this.markUp(index);
        } catch {
          // Still down: the reason recorded when it failed stays the one to show.
        }
      }),
    );
  }

  /** The current node first, then the others in the configured order, nodes thought down last. */
  private order(): number[] {
    const indexes = this.nodes.map((_, index) => index);
    const rest = indexes.filter((index) => index !== this.current);
    const up = rest.filter((index) => !this.nodes[index]!.state.down);
    const down = rest.filter((index) => this.nodes[index]!.state.down);
    return [this.current, ...up, ...down];
  }

  private answered(index: number): void {
    if (index !== this.current && this.nodes.length > 1) {
      const from = this.nodes[this.current]!.state;
      if (from.down) {
        this.logger.warn(
          `Qdrant node ${from.url} is unreachable (${from.down.reason}): continuing on ` +
            this.nodes[index]!.state.url,
        );
      }
    }
    this.current = index;
    this.markUp(index);
  }

  private markDown(index: number, reason: string): void {
    const state = this.nodes[index]!.state;
    state.down = { since: state.down?.since ?? new Date(), reason };
  }

  private markUp(index: number): void {
    const state = this.nodes[index]!.state;
    if (!state.down) return;
    state.down = undefined;
    if (this.nodes.length > 1) this.logger.log(`Qdrant node ${state.url} answers again`);
  }

  /** An error naming the server and the operation; never the API key, whatever the cause says. */
  private failure(operation: string, reason: string, node?: { state: QdrantNodeState }): Error {
    const message = `Qdrant at ${node?.state.url ?? this.endpoint}: ${operation} failed: ${reason}`;
    return new Error(this.apiKey ? message.replaceAll(this.apiKey, '[redacted]') : message);
  }
}

/**
 * How an existing collection's layout differs from the configured one, each difference as
 * `field actual (VARIABLE=wanted)`.
 */
export function layoutDifferences(
  params: Schemas['CollectionParams'],
  wanted: QdrantReplication,
): string[] {
  const fields: [string, number | null | undefined, number, string][] = [
    ['shard_number', params.shard_number, wanted.shardNumber, 'QDRANT_SHARD_NUMBER'],
    [
      'replication_factor',
      params.replication_factor,
      wanted.replicationFactor,
      'QDRANT_REPLICATION_FACTOR',
    ],
    [
      'write_consistency_factor',
      params.write_consistency_factor,
      wanted.writeConsistencyFactor,
      'QDRANT_WRITE_CONSISTENCY',
    ],
  ];
  return fields
    .filter(([, actual, expected]) => actual != null && actual !== expected)
    .map(([field, actual, expected, variable]) => `${field} ${actual} (${variable}=${expected})`);
}

/**
 * Whether an error is the node's rather than the request's: the connection could not be made or
 * was dropped, no answer came in time, or a proxy in front of the node says it is unavailable.
 */
export function isNodeFailure(error: unknown): boolean {
  if (isTimeout(error)) return true;
  const status = httpStatus(error);
  if (status !== undefined) return status === 502 || status === 503 || status === 504;
  return transportFailure(error) !== undefined;
}

/** A URL as messages show it: scheme, host and path, no credentials and no query string. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return '(invalid QDRANT_URL)';
  }
}

/** The HTTP status of a failed request; the client throws the response as an error. */
export function httpStatus(error: unknown): number | undefined {
  const status = (error as { status?: unknown } | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/**
 * The client's own timeout aborts the request: its error is the client's timeout error or the
 * AbortError of fetch (checked by name, as it may come from another realm).
 */
function isTimeout(error: unknown): boolean {
  const name = (error as { name?: unknown } | null)?.name;
  return (
    error instanceof QdrantClientTimeoutError || name === 'AbortError' || name === 'TimeoutError'
  );
}

/**
 * fetch reports a connection that could not be made, or was dropped, as "fetch failed" with the
 * reason in `cause`: a system error code (ECONNREFUSED, ENOTFOUND…) or a socket error's message.
 */
function transportFailure(error: unknown): { code?: string; detail: string } | undefined {
  const { message, cause } = (error ?? {}) as { message?: unknown; cause?: unknown };
  const { code, message: causeMessage } = (cause ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string') return { code, detail: code };
  if (message !== 'fetch failed') return undefined;
  return { detail: typeof causeMessage === 'string' ? causeMessage : 'fetch failed' };
}

export function describeError(error: unknown): string {
  const status = httpStatus(error);
  if (status !== undefined) {
    const body = (error as { data?: { status?: { error?: unknown } } }).data;
    const detail = typeof body?.status?.error === 'string' ? `: ${body.status.error}` : '';
    const hint = status === 401 || status === 403 ? ' (check QDRANT_API_KEY)' : '';
    return `HTTP ${status}${detail}${hint}`;
  }
  if (isTimeout(error)) return 'no answer in time (QDRANT_TIMEOUT_MS)';
  const transport = transportFailure(error);
  if (transport?.code !== undefined) {
    return `cannot connect (${transport.code}); check QDRANT_URL and that Qdrant is running`;
  }
  if (transport) return `the connection failed (${transport.detail})`;
  return error instanceof Error ? error.message : String(error);
}
