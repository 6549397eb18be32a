import { backoffCeilingMs } from '../common/retry-timing';
import { setTimeout as sleep } from 'node:timers/promises';
import { type LlmError, type LlmFailure } from './llm-error';

/**
 * The longest pause between two attempts, whatever LLM_RETRY_BASE_MS or a Retry-After say: a
 * visitor is waiting, and past a few seconds another provider, or an error they can act on, serves
 * them better than more waiting.
 */
export const MAX_BACKOFF_MS = 4000;

/**
 * Failures that a second try of the same request may well not meet: the provider was unreachable,
 * overloaded, throttling or silent, or dropped the stream before any token. A rejected key
 * (`auth`) or a refused request (`bad_request`) would only fail again.
 */
const RETRYABLE: ReadonlySet<LlmFailure> = new Set<LlmFailure>([
  'unavailable',
  'timeout',
  'rate_limit',
  'interrupted',
]);

export interface RetryOptions {
  /** Retries after a provider's first attempt (LLM_MAX_RETRIES); 0 turns retrying off. */
  retries: number;
  /** Ceiling of the first retry's pause, doubled for each retry after it (LLM_RETRY_BASE_MS). */
  baseMs: number;
  /** A number in [0, 1); injected so tests can pin the jitter. */
  random?: () => number;
}

export type RetryDecision = { retryInMs: number } | { giveUp: string };

/**
 * When a failed attempt is tried again. Only ever asked about failures before the first token:
 * after it, the visitor has part of an answer and a retry would repeat it.
 *
 * Pauses are "full jitter" exponential backoff: uniform between 0 and base·2^(n−1), capped. The
 * randomness spreads out the retries of the many visitors one outage fails at once, so the
 * recovering provider is not hit by them all in the same instant.
 */
export class RetryPolicy {
  private readonly random: () => number;

  constructor(private readonly options: RetryOptions) {
    this.random = options.random ?? Math.random;
  }

  /** Attempts per provider, the first one included. */
  get attempts(): number {
    return this.options.retries + 1;
  }

  /** The pause before retry number `retry` (1-based), in whole ms. */
  backoffMs(retry: number): number {
    return Math.floor(this.random() * backoffCeilingMs(this.options.baseMs, retry, MAX_BACKOFF_MS));
  }

  /**
   * Whether `attempt` (1-based), which failed with `error` before its first token, is tried again,
   * and after how long; or, when it is not, why, in words for the log.
   */
  decide(error: LlmError, attempt: number): RetryDecision {
    if (!RETRYABLE.has(error.failure)) return { giveUp: 'not retryable' };
    if (attempt > this.options.retries) return { giveUp: 'no retries left' };
    const backoff = this.backoffMs(attempt);
    const asked = error.retryAfterMs;
    if (asked === undefined) return { retryInMs: backoff };
    // Retrying sooner than the provider asked would only be refused again; waiting longer than
    // the cap keeps the visitor waiting for too long, so that provider is given up on instead.
    if (asked > MAX_BACKOFF_MS) {
      return { giveUp: `it asked to wait ${asked} ms, over the ${MAX_BACKOFF_MS} ms limit` };
    }
    return { retryInMs: Math.max(asked, backoff) };
  }
}

/** Waits `ms`, ending early if `signal` aborts; resolves whether the whole pause passed. */
export async function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch (error) {
    if (signal.aborted) return false;
    throw error;
  }
}
