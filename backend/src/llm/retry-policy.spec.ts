import { LlmError, type LlmFailure } from './llm-error';
import { MAX_BACKOFF_MS, pause, RetryPolicy } from './retry-policy';

const failure = (kind: LlmFailure, retryAfterMs?: number) =>
  new LlmError(kind, `openai: ${kind}`, undefined, retryAfterMs);

describe('RetryPolicy', () => {
  it('draws each pause uniformly below base·2^(n−1): full jitter', () => {
    const lowest = new RetryPolicy({ retries: 5, baseMs: 250, random: () => 0 });
    const highest = new RetryPolicy({ retries: 5, baseMs: 250, random: () => 0.999_999 });
    const middle = new RetryPolicy({ retries: 5, baseMs: 250, random: () => 0.5 });
    for (const retry of [1, 2, 3, 4]) expect(lowest.backoffMs(retry)).toBe(0);
    expect([1, 2, 3, 4].map((retry) => highest.backoffMs(retry))).toEqual([249, 499, 999, 1999]);
    expect([1, 2, 3, 4].map((retry) => middle.backoffMs(retry))).toEqual([125, 250, 500, 1000]);
  });

  it(`never pauses longer than ${MAX_BACKOFF_MS} ms, however many retries`, () => {
    const policy = new RetryPolicy({ retries: 10, baseMs: 4000, random: () => 0.999_999 });
    expect(policy.backoffMs(1)).toBe(MAX_BACKOFF_MS - 1);
    expect(policy.backoffMs(10)).toBe(MAX_BACKOFF_MS - 1);
  });

  it('stays within its bounds with the real random source', () => {
    const policy = new RetryPolicy({ retries: 3, baseMs: 100 });
    for (let draw = 0; draw < 200; draw++) {
      const pause = policy.backoffMs(3);
      expect(pause).toBeGreaterThanOrEqual(0);
      expect(pause).toBeLessThan(400);
    }
  });

  it('retries connection failures, timeouts, throttling and early drops, up to its retries', () => {
    const policy = new RetryPolicy({ retries: 2, baseMs: 100, random: () => 0.5 });
    expect(policy.attempts).toBe(3);
    for (const kind of ['unavailable', 'timeout', 'rate_limit', 'interrupted'] as const) {
      expect(policy.decide(failure(kind), 1)).toEqual({ retryInMs: 50 });
      expect(policy.decide(failure(kind), 2)).toEqual({ retryInMs: 100 });
      expect(policy.decide(failure(kind), 3)).toEqual({ giveUp: 'no retries left' });
    }
  });

  it('never retries a rejected key or a refused request', () => {
    const policy = new RetryPolicy({ retries: 2, baseMs: 100 });
    expect(policy.decide(failure('auth'), 1)).toEqual({ giveUp: 'not retryable' });
    expect(policy.decide(failure('bad_request'), 1)).toEqual({ giveUp: 'not retryable' });
  });

  it('does not retry at all with no retries', () => {
    const policy = new RetryPolicy({ retries: 0, baseMs: 100 });
    expect(policy.attempts).toBe(1);
    expect(policy.decide(failure('unavailable'), 1)).toEqual({ giveUp: 'no retries left' });
  });

  it('waits at least what a Retry-After asks within the limit, and gives up beyond it', () => {
    const policy = new RetryPolicy({ retries: 2, baseMs: 100, random: () => 0.5 });
    expect(policy.decide(failure('rate_limit', 1500), 1)).toEqual({ retryInMs: 1500 });
    expect(policy.decide(failure('rate_limit', 0), 1)).toEqual({ retryInMs: 50 });
    expect(policy.decide(failure('rate_limit', MAX_BACKOFF_MS), 1)).toEqual({
      retryInMs: MAX_BACKOFF_MS,
    });
    expect(policy.decide(failure('rate_limit', 30_000), 1)).toEqual({
      giveUp: 'it asked to wait 30000 ms, over the 4000 ms limit',
    });
  });
});

describe('pause', () => {
  it('resolves true once the whole pause has passed', async () => {
    const started = performance.now();
    await expect(pause(30, new AbortController().signal)).resolves.toBe(true);
    expect(performance.now() - started).toBeGreaterThanOrEqual(25);
  });

  it('resolves false as soon as the signal aborts, or at once if it already has', async () => {
    const controller = new AbortController();
    const started = performance.now();
    setTimeout(() => controller.abort(), 20);
    await expect(pause(10_000, controller.signal)).resolves.toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
    await expect(pause(10_000, controller.signal)).resolves.toBe(false);
  });
});
