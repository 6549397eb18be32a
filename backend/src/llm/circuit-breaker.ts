export type BreakerState = 'closed' | 'open' | 'half_open';

export interface BreakerOptions {
  /** Consecutive pre-token failures that open the breaker. */
  failureThreshold: number;
  /**
   * How long an open breaker skips its provider before letting one trial request through. The same
   * span is the failure window: failures further apart than this are not one outage, so a streak
   * older than the cool-down starts over.
   */
  cooldownMs: number;
  /** Injected so tests can move time without waiting. */
  now?: () => number;
}

/**
 * Keeps a failing provider out of the way so visitors go straight to the fallback instead of each
 * waiting for the same error first, and so the provider is not hammered while it recovers.
 *
 * closed → open after `failureThreshold` consecutive failures within `cooldownMs`; open → half-open
 * once `cooldownMs` has passed, admitting a single trial; the trial's outcome closes or re-opens it.
 */
export class CircuitBreaker {
  private current: BreakerState = 'closed';
  private failures = 0;
  private streakStartedAt = 0;
  private openedAt = 0;
  private trialInFlight = false;
  private readonly now: () => number;

  constructor(private readonly options: BreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  get state(): BreakerState {
    return this.current;
  }

  /** Whether a request may go to the provider now; true commits the caller to report the outcome. */
  tryAcquire(): boolean {
    if (this.current === 'open') {
      if (this.now() - this.openedAt < this.options.cooldownMs) return false;
      this.current = 'half_open';
    }
    if (this.current === 'half_open') {
      if (this.trialInFlight) return false;
      this.trialInFlight = true;
    }
    return true;
  }

  /** The provider responded (its first event arrived): it is up. */
  recordSuccess(): void {
    this.current = 'closed';
    this.failures = 0;
    this.trialInFlight = false;
  }

  /** The provider failed before its first event. */
  recordFailure(): void {
    const now = this.now();
    if (this.current === 'half_open') {
      this.open(now);
      return;
    }
    if (this.failures === 0 || now - this.streakStartedAt > this.options.cooldownMs) {
      this.failures = 0;
      this.streakStartedAt = now;
    }
    this.failures += 1;
    if (this.failures >= this.options.failureThreshold) this.open(now);
  }

  /**
   * The attempt ended without saying anything about the provider's health (the visitor cancelled,
   * or the request itself was refused): frees a half-open trial for the next request.
   */
  release(): void {
    this.trialInFlight = false;
  }

  private open(now: number): void {
    this.current = 'open';
    this.openedAt = now;
    this.failures = 0;
    this.trialInFlight = false;
  }
}
