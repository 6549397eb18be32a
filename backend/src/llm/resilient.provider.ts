import { Logger } from '@nestjs/common';
import { type CircuitBreaker } from './circuit-breaker';
import { LlmError, type LlmFailure } from './llm-error';
import { type LlmDescription, type LlmEvent, LlmProvider, type LlmRequest } from './llm-provider';
import { pause, type RetryPolicy } from './retry-policy';
import { guardStream } from './stream-guard';

/** One provider in the fallback order. */
export interface ProviderLink {
  provider: LlmProvider;
  /**
   * Skips the provider while it keeps failing. Left out when there is no fallback: with nowhere to
   * skip to, an open breaker would only swap the provider's specific error (auth, rate limit) for
   * a generic "unavailable".
   */
  breaker?: CircuitBreaker;
}

export interface ResilienceOptions {
  /** Longest wait for each attempt's first event, then for each event after (LLM_TIMEOUT_MS). */
  timeoutMs: number;
  retry: RetryPolicy;
}

/**
 * Failures that say "this provider cannot answer right now", where another provider may well
 * answer. `bad_request` is left out: the request itself was refused and would likely be refused
 * elsewhere too.
 */
const FALLBACK_FAILURES: ReadonlySet<LlmFailure> = new Set<LlmFailure>([
  'auth',
  'rate_limit',
  'unavailable',
  'timeout',
  'interrupted',
]);

/** A provider's failure before its first token, described for the log but not logged yet. */
interface Failure {
  error: LlmError;
  /** Who failed, on which attempt, why, and whether it was retried. */
  text: string;
}

/**
 * Every answer goes through here, whatever the provider, so that what happens after a failure is
 * decided in one place:
 *
 * - each attempt runs under `guardStream`, with its own LLM_TIMEOUT_MS for the first token, so a
 *   provider that accepts the request and then hangs is abandoned (its HTTP request aborted) and
 *   retried or fallen back from, rather than ending the answer;
 * - failures before the first token are retried with jittered backoff (see `RetryPolicy`), then
 *   the next provider of LLM_FALLBACK is tried, each behind its own circuit breaker;
 * - once an event has reached the caller, a failure is final: a retry or a switch would repeat or
 *   splice answers the visitor has already seen part of;
 * - a cancel ends the stream quietly, including during a backoff pause;
 * - each failure is logged once, with its provider, model, attempt, cause and what happens next.
 *   The one given up on is thrown with that description instead, and its catcher logs it.
 *   Descriptions come from `LlmError` messages, which never hold keys or request text.
 */
export class ResilientLlmProvider extends LlmProvider {
  private readonly logger = new Logger('LlmProvider');

  constructor(
    private readonly links: readonly [ProviderLink, ...ProviderLink[]],
    private readonly options: ResilienceOptions,
  ) {
    super();
  }

  /** The primary: what the deployment is configured to answer with. */
  describe(): LlmDescription {
    return this.links[0].provider.describe();
  }

  /**
   * One generator for the whole fallback order and every attempt, rather than one per provider
   * delegated to with `yield*`: each layer of async generator costs promises on every token.
   */
  async *stream(request: LlmRequest, signal: AbortSignal): AsyncGenerator<LlmEvent> {
    const { retry, timeoutMs } = this.options;
    // The failure being fallen back from. It is logged once the next provider is really tried,
    // so the line can name it; if none is, it is thrown instead.
    let pending: Failure | undefined;
    const skipped: string[] = [];
    for (const { provider, breaker } of this.links) {
      const name = nameOf(provider);
      if (breaker && !breaker.tryAcquire()) {
        skipped.push(name);
        continue;
      }
      if (pending) this.logger.warn(`${pending.text}; falling back to ${name}`);
      pending = undefined;
      const servedBy = provider.describe();
      // Retries of this provider, as the policy allows. The breaker was acquired above for the
      // first attempt; a closed breaker admits every request, so a retry needs no new admission.
      for (let attempt = 1; !pending; attempt++) {
        const where = `${name} attempt ${attempt}/${retry.attempts}`;
        let started = false;
        try {
          const events = guardStream((attemptSignal) => provider.stream(request, attemptSignal), {
            idleTimeoutMs: timeoutMs,
            signal,
          });
          for await (const event of events) {
            if (!started) {
              started = true;
              breaker?.recordSuccess();
            }
            yield event.type === 'usage' ? { ...event, servedBy } : event;
          }
          // The guard ends quietly on a cancel, which says nothing about the provider's health; a
          // stream with no events at all otherwise still means the provider responded.
          if (!started) {
            if (signal.aborted) breaker?.release();
            else breaker?.recordSuccess();
          }
          return;
        } catch (error) {
          if (!(error instanceof LlmError)) {
            if (!started) breaker?.release();
            throw error;
          }
          if (started) {
            throw withMessage(
              error,
              `${where} failed after the answer started, with ${cause(error)}; not retried`,
            );
          }
          const { circuit, open } = this.recordFailure(error, breaker);
          const decision = retry.decide(error, attempt);
          if ('retryInMs' in decision && !open) {
            this.logger.warn(
              `${where} failed with ${cause(error)}; retrying in ${decision.retryInMs} ms`,
            );
            if (!(await pause(decision.retryInMs, signal))) return;
            continue;
          }
          const reasons = 'giveUp' in decision ? [decision.giveUp, circuit] : [circuit];
          const text = `${where} failed with ${cause(error)}; ${reasons.filter(Boolean).join('; ')}`;
          if (!FALLBACK_FAILURES.has(error.failure)) throw withMessage(error, text);
          // Another provider may answer instead.
          pending = { error, text };
        }
      }
    }
    const circuits = skipped.length > 0 ? ` (circuit open: ${skipped.join(', ')})` : '';
    if (pending) {
      const fallback = this.links.length > 1 ? `; no fallback left${circuits}` : '';
      throw withMessage(pending.error, `${pending.text}${fallback}`);
    }
    throw new LlmError(
      'unavailable',
      `every provider is skipped while its circuit is open (${skipped.join(', ')})`,
    );
  }

  /**
   * Counts a failure against the provider's breaker if it says the provider is unwell, and says
   * whether the breaker is now open, which rules out retrying it, in words for the log.
   */
  private recordFailure(
    error: LlmError,
    breaker: CircuitBreaker | undefined,
  ): { open: boolean; circuit?: string } {
    if (!breaker) return { open: false };
    if (!FALLBACK_FAILURES.has(error.failure)) {
      breaker.release();
      return { open: false };
    }
    const before = breaker.state;
    breaker.recordFailure();
    if (breaker.state !== 'open') return { open: false };
    return {
      open: true,
      circuit:
        before === 'half_open'
          ? 'its trial request failed, circuit open again'
          : 'it keeps failing, circuit open: skipping it for a while',
    };
  }
}

function nameOf(provider: LlmProvider): string {
  const { provider: kind, model } = provider.describe();
  return `${kind}/${model}`;
}

function cause(error: LlmError): string {
  const status = error.status === undefined ? '' : ` (HTTP ${error.status})`;
  return `${error.failure}${status}: ${error.message}`;
}

/** The same failure with a message that says where and when it happened. */
function withMessage(error: LlmError, message: string): LlmError {
  return new LlmError(error.failure, message, error.status, error.retryAfterMs);
}
