/**
 * The fallback chain and its breakers, driven by scripted providers: small in-process LlmProvider
 * subclasses that yield events or throw LlmErrors on cue. They stand in for the provider interface,
 * not for a network client, so no HTTP is involved here; test/fallback.e2e-spec.ts covers the real
 * OpenAI provider failing over HTTP.
 */
import { Logger } from '@nestjs/common';
import { CircuitBreaker } from './circuit-breaker';
import { FallbackLlmProvider } from './fallback.provider';
import {
  LlmError,
  type LlmDescription,
  type LlmEvent,
  type LlmFailure,
  LlmProvider,
  type LlmRequest,
} from './llm-provider';

const REQUEST: LlmRequest = { system: 'rules', messages: [], question: 'q', sources: [] };
const USAGE: LlmEvent = { type: 'usage', usage: { inputTokens: 1, outputTokens: 1 } };

type Step = { answer: string[] } | { fail: LlmFailure; afterTokens?: string[] };

/** Plays one scripted step per call, then repeats the last one. */
class ScriptedProvider extends LlmProvider {
  calls = 0;

  constructor(
    private readonly name: string,
    private readonly steps: Step[],
  ) {
    super();
  }

  describe(): LlmDescription {
    return { provider: this.name, model: 'test' };
  }

  async *stream(): AsyncGenerator<LlmEvent> {
    const step = this.steps[Math.min(this.calls, this.steps.length - 1)];
    this.calls += 1;
    await Promise.resolve();
    if (step && 'answer' in step) {
      for (const text of step.answer) yield { type: 'token', text };
      yield USAGE;
      return;
    }
    for (const text of step?.afterTokens ?? []) yield { type: 'token', text };
    throw new LlmError(step?.fail ?? 'unavailable', `${this.name}: API returned 500`, 500);
  }
}

async function collect(provider: LlmProvider, signal = new AbortController().signal) {
  const tokens: string[] = [];
  try {
    for await (const event of provider.stream(REQUEST, signal)) {
      if (event.type === 'token') tokens.push(event.text);
    }
    return { tokens };
  } catch (error) {
    return { tokens, error: error as LlmError };
  }
}

function chain(providers: LlmProvider[], breaker = () => new CircuitBreaker(OPTIONS)) {
  const links = providers.map((provider) => ({ provider, breaker: breaker() }));
  return new FallbackLlmProvider(links as [(typeof links)[0], ...typeof links]);
}

const OPTIONS = { failureThreshold: 3, cooldownMs: 1000 };

describe('FallbackLlmProvider', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it('falls back when the primary fails with a 500 before its first token, logging the cause once', async () => {
    const primary = new ScriptedProvider('openai', [{ fail: 'unavailable' }]);
    const fallback = new ScriptedProvider('extractive', [{ answer: ['from ', 'fallback'] }]);
    const result = await collect(chain([primary, fallback]));
    expect(result).toEqual({ tokens: ['from ', 'fallback'] });
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith(
      'openai/test failed (unavailable: openai: API returned 500); trying extractive/test',
    );
  });

  it.each<LlmFailure>(['auth', 'rate_limit', 'timeout'])('falls back on %s', async (failure) => {
    const primary = new ScriptedProvider('openai', [{ fail: failure }]);
    const fallback = new ScriptedProvider('extractive', [{ answer: ['ok'] }]);
    expect(await collect(chain([primary, fallback]))).toEqual({ tokens: ['ok'] });
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
    expect(result.error).toBeInstanceOf(LlmError);
    expect(fallback.calls).toBe(0);
  });

  it('throws the last failure when every provider fails, logging the ones it moved past', async () => {
    const primary = new ScriptedProvider('openai', [{ fail: 'unavailable' }]);
    const fallback = new ScriptedProvider('anthropic', [{ fail: 'rate_limit' }]);
    const result = await collect(chain([primary, fallback]));
    expect(result.error?.failure).toBe('rate_limit');
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('opens a breaker after N failures, skips it, and half-opens after the cool-down', async () => {
    let now = 0;
    const primary = new ScriptedProvider('openai', [{ fail: 'unavailable' }]);
    const fallback = new ScriptedProvider('extractive', [{ answer: ['ok'] }]);
    const provider = chain(
      [primary, fallback],
      () => new CircuitBreaker({ ...OPTIONS, now: () => now }),
    );

    for (let attempt = 0; attempt < OPTIONS.failureThreshold; attempt++) await collect(provider);
    expect(primary.calls).toBe(3);
    expect(warn).toHaveBeenCalledWith(
      expect.stringMatching(/openai\/test keeps failing; circuit open/),
    );

    now = 999;
    expect(await collect(provider)).toEqual({ tokens: ['ok'] });
    expect(primary.calls).toBe(3); // skipped straight to the fallback

    now = 1000;
    await collect(provider); // the one trial, which fails again
    expect(primary.calls).toBe(4);
    await collect(provider);
    expect(primary.calls).toBe(4);
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

describe('CircuitBreaker', () => {
  let now = 0;
  const breaker = () => new CircuitBreaker({ ...OPTIONS, now: () => now });
  beforeEach(() => {
    now = 0;
  });

  it('opens after N consecutive failures, then admits a single trial after the cool-down', () => {
    const subject = breaker();
    for (let failure = 0; failure < 3; failure++) {
      expect(subject.tryAcquire()).toBe(true);
      subject.recordFailure();
    }
    expect(subject.state).toBe('open');
    expect(subject.tryAcquire()).toBe(false);

    now = 1000;
    expect(subject.tryAcquire()).toBe(true);
    expect(subject.state).toBe('half_open');
    expect(subject.tryAcquire()).toBe(false); // only one trial at a time
    subject.recordSuccess();
    expect(subject.state).toBe('closed');
    expect(subject.tryAcquire()).toBe(true);
  });

  it('a failed trial re-opens it for another cool-down; a released one frees the trial', () => {
    const subject = breaker();
    for (let failure = 0; failure < 3; failure++) subject.recordFailure();
    now = 1000;
    subject.tryAcquire();
    subject.release();
    expect(subject.tryAcquire()).toBe(true);
    subject.recordFailure();
    expect(subject.state).toBe('open');
    now = 1999;
    expect(subject.tryAcquire()).toBe(false);
  });

  it('a success or a gap longer than the window restarts the streak', () => {
    const subject = breaker();
    subject.recordFailure();
    subject.recordFailure();
    subject.recordSuccess();
    subject.recordFailure();
    subject.recordFailure();
    now = 1001;
    subject.recordFailure();
    expect(subject.state).toBe('closed');
  });
});
