import { Logger } from '@nestjs/common';
import { type CircuitBreaker } from './circuit-breaker';
import {
  LlmError,
  type LlmDescription,
  type LlmEvent,
  type LlmFailure,
  LlmProvider,
  type LlmRequest,
} from './llm-provider';

/** One provider in the fallback order, with its own breaker. */
export interface FallbackLink {
  provider: LlmProvider;
  breaker: CircuitBreaker;
}

/**
 * Failures that say "this provider cannot answer right now", where another provider may well answer.
 * `bad_request` is left out: the request itself was refused and would likely be refused elsewhere
 * too. `interrupted` is left out: it happens mid-answer, after the visitor has seen tokens.
 */
const FALLBACK_FAILURES: ReadonlySet<LlmFailure> = new Set<LlmFailure>([
  'auth',
  'rate_limit',
  'unavailable',
  'timeout',
]);

/**
 * Answers with the first provider in `links` that can, in order: the primary, then LLM_FALLBACK.
 *
 * A provider is only left before its first event. Once tokens have reached the visitor a switch
 * would splice two different answers together, so a later failure is the caller's to report. A
 * cancel is never a reason to try the next one.
 */
export class FallbackLlmProvider extends LlmProvider {
  private readonly logger = new Logger('LlmFallback');

  constructor(private readonly links: readonly [FallbackLink, ...FallbackLink[]]) {
    super();
  }

  /** The primary: what the deployment is configured to answer with. */
  describe(): LlmDescription {
    return this.links[0].provider.describe();
  }

  async *stream(request: LlmRequest, signal: AbortSignal): AsyncGenerator<LlmEvent> {
    // The failure being fallen back from. It is logged only once the next provider is really tried;
    // the last one is thrown instead, and the caller logs what it throws.
    let pending: { name: string; error: LlmError } | undefined;
    for (const { provider, breaker } of this.links) {
      const name = nameOf(provider);
      if (!breaker.tryAcquire()) continue;
      if (pending) {
        this.logger.warn(
          `${pending.name} failed (${pending.error.failure}: ${pending.error.message}); trying ${name}`,
        );
      }
      let started = false;
      try {
        for await (const event of provider.stream(request, signal)) {
          if (!started) {
            started = true;
            breaker.recordSuccess();
          }
          yield event;
        }
        // A stream with no events at all still means the provider responded.
        if (!started) breaker.recordSuccess();
        return;
      } catch (error) {
        if (started) throw error;
        if (
          signal.aborted ||
          !(error instanceof LlmError) ||
          !FALLBACK_FAILURES.has(error.failure)
        ) {
          breaker.release();
          throw error;
        }
        this.recordFailure(name, breaker);
        pending = { name, error };
      }
    }
    throw (
      pending?.error ??
      new LlmError(
        'unavailable',
        `every provider is skipped while its circuit is open (${this.links.map((link) => nameOf(link.provider)).join(', ')})`,
      )
    );
  }

  private recordFailure(name: string, breaker: CircuitBreaker): void {
    const before = breaker.state;
    breaker.recordFailure();
    if (breaker.state === 'open' && before !== 'open') {
      this.logger.warn(
        before === 'half_open'
          ? `${name} failed its trial request; circuit open again`
          : `${name} keeps failing; circuit open, skipping it for a while`,
      );
    }
  }
}

function nameOf(provider: LlmProvider): string {
  const { provider: kind, model } = provider.describe();
  return `${kind}/${model}`;
}
