/**
 * Retries, the fallback chain and its breakers, driven by scripted providers: small in-process
 * LlmProvider subclasses that yield events, throw LlmErrors or hang on cue. They stand in for the
 * provider interface, not for a network client, so no HTTP is involved here;
 * resilient.provider.http.spec.ts and test/fallback.e2e-spec.ts and test/retry.e2e-spec.ts cover
 * the real providers against local servers speaking their wire protocols.
 */
import { Logger } from '@nestjs/common';
import { CircuitBreaker } from './circuit-breaker';
import { LlmError, type LlmFailure } from './llm-error';
import { type LlmDescription, type LlmEvent, LlmProvider, type LlmRequest } from './llm-provider';
import { type ProviderLink, ResilientLlmProvider } from './resilient.provider';
import { RetryPolicy } from './retry-policy';

const REQUEST: LlmRequest = { system: 'rules', messages: [], question: 'q', sources: [] };
const USAGE: LlmEvent = { type: 'usage', usage: { inputTokens: 1, outputTokens: 1 } };

type Step =
  | { answer: string[] }
  | { fail: LlmFailure; afterTokens?: string[]; retryAfterMs?: number }
  /** Accepts the request and sends nothing until aborted, like a hung server. */
  | { hang: true }
  /** Ends without a token or the closing usage, like a stream dropped before its first token. */
  | { end: true };

/** Plays one scripted step per call, then repeats the last one. */
class ScriptedProvider extends LlmProvider {
  calls = 0;
  /** The signal of each call, to see that an abandoned attempt was aborted. */
  readonly signals: AbortSignal[] = [];

  constructor(
    private readonly name: string,
    private readonly steps: Step[],
  ) {
    super();
  }

  describe(): LlmDescription {
    return { provider: this.name, model: 'test' };
  }

  async *stream(_request: LlmRequest, signal: AbortSignal): AsyncGenerator<LlmEvent> {
    const step = this.steps[Math.min(this.calls, this.steps.length - 1)] ?? { end: true };
    this.calls += 1;
    this.signals.push(signal);
    await Promise.resolve();
    if ('answer' in step) {
      for (const text of step.answer) yield { type: 'token', text };
      yield USAGE;
      return;
    }
    if ('hang' in step) {
      await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
      throw new LlmError('unavailable', `${this.name}: aborted`);
    }
    if ('end' in step) return;
    for (const text of step.afterTokens ?? []) yield { type: 'token', text };
    throw new LlmError(
      step.fail,
      `${this.name}: API returned ${STATUS[step.fail]}`,
      STATUS[step.fail],
      step.retryAfterMs,
    );
  }
}

const STATUS: Record<LlmFailure, number> = {
  auth: 401,
  rate_limit: 429,
  unavailable: 500,
  timeout: 408,
  interrupted: 502,
  bad_request: 400,
};

async function collect(provider: LlmProvider, signal = new AbortController().signal) {
  const events: LlmEvent[] = [];
  try {
    for await (const event of provider.stream(REQUEST, signal)) events.push(event);
    return { tokens: tokensOf(events), events };
  } catch (error) {
    return { tokens: tokensOf(events), events, error: error as LlmError };
  }
}

const tokensOf = (events: LlmEvent[]) =>
  events.flatMap((event) => (event.type === 'token' ? [event.text] : []));

interface ChainOptions {
  retries?: number;
  baseMs?: number;
  random?: () => number;
  timeoutMs?: number;
  /** Breakers for every link, as with LLM_FALLBACK; `false` for none, as with a lone provider. */
  breaker?: (() => CircuitBreaker) | false;
}

const OPTIONS = { failureThreshold: 3, cooldownMs: 1000 };

function chain(
  providers: LlmProvider[],
  {
    retries = 0,
    baseMs = 100,
    random = () => 0,
    timeoutMs = 1000,
    breaker = () => new CircuitBreaker(OPTIONS),
  }: ChainOptions = {},
) {
  const links = providers.map((provider): ProviderLink => ({
    provider,
    breaker: breaker ? breaker() : undefined,
  }));
  return new ResilientLlmProvider(links as [ProviderLink, ...ProviderLink[]], {
    timeoutMs,
    retry: new RetryPolicy({ retries, baseMs, random }),
  });
}

describe('ResilientLlmProvider', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  describe('retries', () => {
    it('retries a lone provider that fails twice before its first token, logging each failure once', async () => {
      const primary = new ScriptedProvider('openai', [
        { fail: 'unavailable' },
        { fail: 'rate_limit' },
        { answer: ['third ', 'time'] },
      ]);
      const result = await collect(chain([primary], { retries: 2, breaker: false }));
      expect(result.error).toBeUndefined();
      expect(result.tokens).toEqual(['third ', 'time']);
      expect(primary.calls).toBe(3);
      expect(warn.mock.calls).toEqual([
        [
          'openai/test attempt 1/3 failed with unavailable (HTTP 500): openai: API returned 500; retrying in 0 ms',
        ],
        [
          'openai/test attempt 2/3 failed with rate_limit (HTTP 429): openai: API returned 429; retrying in 0 ms',
        ],
      ]);
    });

    it.each<LlmFailure>(['unavailable', 'timeout', 'rate_limit', 'interrupted'])(
      'retries %s',
      async (failure) => {
        const primary = new ScriptedProvider('openai', [{ fail: failure }, { answer: ['ok'] }]);
        expect(await collect(chain([primary], { retries: 1 }))).toMatchObject({ tokens: ['ok'] });
        expect(primary.calls).toBe(2);
      },
    );

    it('retries a stream that ends before its first token', async () => {
      const primary = new ScriptedProvider('openai', [{ end: true }, { answer: ['ok'] }]);
      expect(await collect(chain([primary], { retries: 1 }))).toMatchObject({ tokens: ['ok'] });
      expect(warn).toHaveBeenCalledWith(expect.stringContaining('failed with interrupted'));
    });

    it.each<LlmFailure>(['auth', 'bad_request'])('does not retry %s', async (failure) => {
      const primary = new ScriptedProvider('openai', [{ fail: failure }, { answer: ['ok'] }]);
      const result = await collect(chain([primary], { retries: 2, breaker: false }));
      expect(result.error?.failure).toBe(failure);
      expect(result.error?.message).toMatch(/attempt 1\/3 failed with .*; not retryable$/);
      expect(primary.calls).toBe(1);
      expect(warn).not.toHaveBeenCalled();
    });

    it('gives up after its retries, throwing the last failure with its whole story, unlogged', async () => {
      const primary = new ScriptedProvider('openai', [{ fail: 'unavailable' }]);
      const result = await collect(chain([primary], { retries: 2, breaker: false }));
      expect(primary.calls).toBe(3);
      expect(result.error).toBeInstanceOf(LlmError);
      expect(result.error).toMatchObject({ failure: 'unavailable', status: 500 });
      expect(result.error?.message).toBe(
        'openai/test attempt 3/3 failed with unavailable (HTTP 500): openai: API returned 500; no retries left',
      );
      // The thrown failure is logged by whoever catches it (ChatErrors), so only the two retried.
      expect(warn).toHaveBeenCalledTimes(2);
    });

    it('never retries once a token has been sent, so no token is sent twice', async () => {
      const primary = new ScriptedProvider('openai', [
        { fail: 'unavailable', afterTokens: ['half ', 'an answer'] },
        { answer: ['again'] },
      ]);
      const result = await collect(chain([primary], { retries: 2 }));
      expect(result.tokens).toEqual(['half ', 'an answer']);
      expect(result.error?.failure).toBe('unavailable');
      expect(result.error?.message).toMatch(/attempt 1\/3 failed after the answer started/);
      expect(primary.calls).toBe(1);
    });

    it('waits the full-jitter backoff between attempts', async () => {
      const primary = new ScriptedProvider('openai', [
        { fail: 'unavailable' },
        { fail: 'unavailable' },
        { answer: ['ok'] },
      ]);
      const started = performance.now();
      await collect(chain([primary], { retries: 2, baseMs: 40, random: () => 0.5 }));
      // 0.5 × 40 ms, then 0.5 × 80 ms.
      expect(warn.mock.calls.map(([line]) => String(line).replace(/.*; /, ''))).toEqual([
        'retrying in 20 ms',
        'retrying in 40 ms',
      ]);
      expect(performance.now() - started).toBeGreaterThanOrEqual(55);
    });

    it('waits as long as a Retry-After within the limit asks', async () => {
      const primary = new ScriptedProvider('openai', [
        { fail: 'rate_limit', retryAfterMs: 60 },
        { answer: ['ok'] },
      ]);
      await collect(chain([primary], { retries: 1 }));
      expect(warn).toHaveBeenCalledWith(expect.stringMatching(/; retrying in 60 ms$/));
    });

    it('gives up on a provider whose Retry-After is over the limit, and falls back', async () => {
      const primary = new ScriptedProvider('openai', [
        { fail: 'rate_limit', retryAfterMs: 60_000 },
      ]);
      const fallback = new ScriptedProvider('extractive', [{ answer: ['ok'] }]);
      expect(await collect(chain([primary, fallback], { retries: 2 }))).toMatchObject({
        tokens: ['ok'],
      });
      expect(primary.calls).toBe(1);
      expect(warn).toHaveBeenCalledWith(
        expect.stringMatching(
          /attempt 1\/3 failed with rate_limit .*; it asked to wait 60000 ms, over the 4000 ms limit; falling back to extractive\/test$/,
        ),
      );
    });

    it('ends quietly when the visitor cancels during a backoff pause, without another attempt', async () => {
      const controller = new AbortController();
      const primary = new ScriptedProvider('openai', [{ fail: 'unavailable' }, { answer: ['x'] }]);
      const fallback = new ScriptedProvider('extractive', [{ answer: ['other'] }]);
      // Just under 4 s of backoff: the cancel must cut it short.
      const provider = chain([primary, fallback], { retries: 2, baseMs: 4000, random: () => 0.99 });
      // The visitor cancels while the retry is waiting: just after its failure is logged.
      warn.mockImplementation(() => {
        setTimeout(() => controller.abort(), 20);
      });
      const started = performance.now();
      const result = await collect(provider, controller.signal);
      expect(performance.now() - started).toBeLessThan(1000);
      expect(result).toEqual({ tokens: [], events: [] });
      expect(primary.calls + fallback.calls).toBe(1);
    });
  });

  describe('first-token timeout', () => {
    it('abandons an attempt that hangs before its first token, aborting it, and retries', async () => {
      const primary = new ScriptedProvider('openai', [{ hang: true }, { answer: ['ok'] }]);
      const result = await collect(chain([primary], { retries: 1, timeoutMs: 50 }));
      expect(result.tokens).toEqual(['ok']);
      expect(primary.signals[0]?.aborted).toBe(true);
      expect(warn).toHaveBeenCalledWith(
        'openai/test attempt 1/2 failed with timeout: no output from the provider within 50 ms; retrying in 0 ms',
      );
    });

    it('falls back from a primary that hangs on every attempt', async () => {
      const primary = new ScriptedProvider('openai', [{ hang: true }]);
      const fallback = new ScriptedProvider('extractive', [{ answer: ['from ', 'fallback'] }]);
      const result = await collect(chain([primary, fallback], { retries: 1, timeoutMs: 50 }));
      expect(result.tokens).toEqual(['from ', 'fallback']);
      expect(primary.calls).toBe(2);
      expect(primary.signals.every((signal) => signal.aborted)).toBe(true);
    });
  });

  describe('fallback', () => {
    it('falls back when the primary fails with a 500 before its first token, logging the cause once', async () => {
      const primary = new ScriptedProvider('openai', [{ fail: 'unavailable' }]);
      const fallback = new ScriptedProvider('extractive', [{ answer: ['from ', 'fallback'] }]);
      const result = await collect(chain([primary, fallback]));
      expect(result.tokens).toEqual(['from ', 'fallback']);
      expect(result.error).toBeUndefined();
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn).toHaveBeenCalledWith(
        'openai/test attempt 1/1 failed with unavailable (HTTP 500): openai: API returned 500; no retries left; falling back to extractive/test',
      );
    });

    it.each<LlmFailure>(['auth', 'rate_limit', 'timeout', 'interrupted'])(
      'falls back on %s',
      async (failure) => {
        const primary = new ScriptedProvider('openai', [{ fail: failure }]);
        const fallback = new ScriptedProvider('extractive', [{ answer: ['ok'] }]);
        expect(await collect(chain([primary, fallback]))).toMatchObject({ tokens: ['ok'] });
      },
    );

    it('retries the primary first, then falls back', async () => {
      const primary = new ScriptedProvider('openai', [{ fail: 'unavailable' }]);
      const fallback = new ScriptedProvider('extractive', [{ answer: ['ok'] }]);
      expect(await collect(chain([primary, fallback], { retries: 2 }))).toMatchObject({
        tokens: ['ok'],
      });
      expect(primary.calls).toBe(3);
      expect(warn.mock.calls.map(([line]) => String(line).replace(/.*; /, ''))).toEqual([
        'retrying in 0 ms',
        'retrying in 0 ms',
        'falling back to extractive/test',
      ]);
    });

    it('says which provider and model served, in the usage event', async () => {
      const primary = new ScriptedProvider('openai', [{ fail: 'auth' }, { answer: ['ok'] }]);
      const fallback = new ScriptedProvider('extractive', [{ answer: ['ok'] }]);
      const provider = chain([primary, fallback]);
      expect((await collect(provider)).events.at(-1)).toEqual({
        ...USAGE,
        servedBy: { provider: 'extractive', model: 'test' },
      });
      expect((await collect(provider)).events.at(-1)).toEqual({
        ...USAGE,
        servedBy: { provider: 'openai', model: 'test' },
      });
    });

    it('reports the primary in describe()', () => {
      const provider = chain([new ScriptedProvider('openai', []), new ScriptedProvider('x', [])]);
      expect(provider.describe()).toEqual({ provider: 'openai', model: 'test' });
    });

    it('does not fall back once tokens have been streamed', async () => {
      const primary = new ScriptedProvider('openai', [
        { fail: 'unavailable', afterTokens: ['half'] },
      ]);
      const fallback = new ScriptedProvider('extractive', [{ answer: ['other'] }]);
      const result = await collect(chain([primary, fallback]));
      expect(result.tokens).toEqual(['half']);
      expect(result.error?.failure).toBe('unavailable');
      expect(fallback.calls).toBe(0);
    });

    it('does not fall back on bad_request', async () => {
      const primary = new ScriptedProvider('openai', [{ fail: 'bad_request' }]);
      const fallback = new ScriptedProvider('extractive', [{ answer: ['other'] }]);
      const result = await collect(chain([primary, fallback]));
      expect(result.error?.failure).toBe('bad_request');
      expect(fallback.calls).toBe(0);
    });

    it('does not fall back after a cancel', async () => {
      const controller = new AbortController();
      const primary = new (class extends ScriptedProvider {
        // eslint-disable-next-line require-yield -- fails before any event, as a cancelled request does
        override async *stream(): AsyncGenerator<LlmEvent> {
          await Promise.resolve();
          controller.abort();
          throw new LlmError('unavailable', 'openai: the request failed');
        }
      })('openai', []);
      const fallback = new ScriptedProvider('extractive', [{ answer: ['other'] }]);
      const result = await collect(chain([primary, fallback]), controller.signal);
      expect(result).toEqual({ tokens: [], events: [] });
      expect(fallback.calls).toBe(0);
    });

    it('throws the last failure when every provider fails, logging the ones it moved past', async () => {
      const primary = new ScriptedProvider('openai', [{ fail: 'unavailable' }]);
      const fallback = new ScriptedProvider('anthropic', [{ fail: 'rate_limit' }]);
      const result = await collect(chain([primary, fallback]));
      expect(result.error?.failure).toBe('rate_limit');
      expect(result.error?.message).toBe(
        'anthropic/test attempt 1/1 failed with rate_limit (HTTP 429): anthropic: API returned 429; no retries left; no fallback left',
      );
      expect(warn).toHaveBeenCalledTimes(1);
    });
  });

  describe('circuit breakers', () => {
    it('opens a breaker after N failures, skips it, and half-opens after the cool-down', async () => {
      let now = 0;
      const primary = new ScriptedProvider('openai', [{ fail: 'unavailable' }]);
      const fallback = new ScriptedProvider('extractive', [{ answer: ['ok'] }]);
      const provider = chain([primary, fallback], {
        breaker: () => new CircuitBreaker({ ...OPTIONS, now: () => now }),
      });

      for (let attempt = 0; attempt < OPTIONS.failureThreshold; attempt++) await collect(provider);
      expect(primary.calls).toBe(3);
      expect(warn).toHaveBeenLastCalledWith(
        expect.stringMatching(
          /openai\/test .*; it keeps failing, circuit open: skipping it for a while; falling back/,
        ),
      );

      now = 999;
      expect(await collect(provider)).toMatchObject({ tokens: ['ok'] });
      expect(primary.calls).toBe(3); // skipped straight to the fallback

      now = 1000;
      await collect(provider); // the one trial, which fails again
      expect(primary.calls).toBe(4);
      expect(warn).toHaveBeenLastCalledWith(
        expect.stringMatching(/its trial request failed, circuit open again; falling back/),
      );
      await collect(provider);
      expect(primary.calls).toBe(4);
    });

    it('counts each attempt, and stops retrying a provider once its breaker opens', async () => {
      const primary = new ScriptedProvider('openai', [{ fail: 'unavailable' }]);
      const fallback = new ScriptedProvider('extractive', [{ answer: ['ok'] }]);
      const provider = chain([primary, fallback], {
        retries: 5,
        breaker: () => new CircuitBreaker({ failureThreshold: 2, cooldownMs: 1000 }),
      });
      expect(await collect(provider)).toMatchObject({ tokens: ['ok'] });
      expect(primary.calls).toBe(2);
      expect(warn).toHaveBeenLastCalledWith(
        expect.stringMatching(
          /attempt 2\/6 failed with unavailable .*; it keeps failing, circuit open: skipping it for a while; falling back to extractive\/test$/,
        ),
      );
    });

    it('fails fast with unavailable when every breaker is open', async () => {
      const primary = new ScriptedProvider('openai', [{ fail: 'unavailable' }]);
      const fallback = new ScriptedProvider('anthropic', [{ fail: 'timeout' }]);
      const provider = chain([primary, fallback]);
      for (let attempt = 0; attempt < OPTIONS.failureThreshold; attempt++) await collect(provider);

      const result = await collect(provider);
      expect(result.error?.failure).toBe('unavailable');
      expect(result.error?.message).toMatch(/circuit is open \(openai\/test, anthropic\/test\)/);
      expect(primary.calls + fallback.calls).toBe(6);
    });
  });
});
