/**
 * Starting without a dependency the server can serve without for a while (Qdrant, behind the
 * index): when it cannot be reached at start, the server starts anyway, says so, and keeps trying
 * in the background, instead of exiting and being restarted in a loop by its orchestrator.
 */

/** System codes of a connection that could not be made or timed out: "not now", not "never". */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_SOCKET',
]);

/** Whether `error`, or an error it was caused by, is a connection failure. */
export function isUnreachable(error: unknown): boolean {
  let current = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) return true;
    current = cause;
  }
  return false;
}

export interface RetryOptions {
  /** Names the dependency in the log: "Qdrant at http://…". */
  what: string;
  /** Between attempts while it stays unreachable. */
  retryMs: number;
  logger: { error(message: string): void; log(message: string): void };
  /** Stops the attempts (the application is shutting down). */
  signal: AbortSignal;
}

/**
 * Calls `open` every `retryMs` in the background until it succeeds, then logs the recovery once.
 * A failure that is not a connection failure (a wrong key, an index of another embedding size) is
 * logged and ends the attempts: waiting would not fix it.
 */
export function keepTrying(open: () => Promise<void>, options: RetryOptions): void {
  const attempt = (): void => {
    if (options.signal.aborted) return;
    open().then(
      () => options.logger.log(`${options.what} is reachable again: no longer degraded`),
      (error: unknown) => {
        if (isUnreachable(error)) {
          schedule();
          return;
        }
        options.logger.error(
          `${options.what} answers but cannot be used: ${describe(error)}; fix it and restart`,
        );
      },
    );
  };
  const schedule = (): void => {
    if (!options.signal.aborted) setTimeout(attempt, options.retryMs).unref();
  };
  schedule();
}

export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
