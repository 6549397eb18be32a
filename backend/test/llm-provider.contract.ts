/**
 * The behaviour every LLM provider must have, as one jest suite to run against each provider and
 * the wire-faithful local server of its API (OpenAI's SSE, Anthropic's named SSE events, Bedrock's
 * binary event stream):
 *
 *   describeLlmProviderContract('openai', async () => ({ provider, script, … }));
 *
 * A scenario says what the server does in words every API has (stream these tokens, refuse the
 * key, throttle, fail); each harness says it on its own wire. What only one API has (its request
 * body, its error types, its retry-after header) stays in that provider's own spec.
 */
import { type LlmSettings } from '../src/config/app-config';
import { type LlmProvider } from '../src/llm/llm-provider';
import { type FakeHttpServer } from './fakes/fake-http-server';
import { closedPortUrl, llmError, request, run, tokens } from './support/llm-stream';

export type LlmScenario =
  | {
      kind: 'stream';
      tokens: string[];
      /** What the server reports; each harness has a default when omitted. */
      usage?: { inputTokens: number; outputTokens: number };
      tokenDelayMs?: number;
      /**
       * Ends early after `afterTokens` tokens: `cut` drops the connection, `stall` keeps it open
       * and sends nothing more, `error` reports a server error in the stream and ends it.
       */
      interrupt?: { afterTokens: number; then: 'cut' | 'stall' | 'error' };
    }
  /** The API refuses the credentials. */
  | { kind: 'reject-key' }
  /** HTTP 429, with a retry-after header where the API sends one. */
  | { kind: 'throttle'; retryAfterSeconds: number }
  /** HTTP 500. */
  | { kind: 'server-error' };

export interface LlmServerHarness {
  /** The provider under test, pointed at the local server. */
  provider(overrides?: Partial<LlmSettings>): LlmProvider;
  /** What the next requests get, one scenario each; later ones get a short default answer. */
  script(...scenarios: LlmScenario[]): void;
  server: Pick<
    FakeHttpServer<unknown, unknown>,
    'requests' | 'abortedRequests' | 'waitForAbort' | 'close'
  >;
  /** The base URL that points the provider at a server listening at `url`. */
  baseUrlFor(url: string): string;
  /** How the API refuses credentials: its status and what the error message must name. */
  rejectedKey: { status: number; names: string[] };
  /** Credentials the provider holds, which no error message may contain. */
  secrets: string[];
  /** Whether the API tells how long to wait before retrying a 429 (a retry-after header). */
  retryAfter: boolean;
}

export function describeLlmProviderContract(
  name: string,
  start: () => Promise<LlmServerHarness>,
): void {
  describe(`${name}: the LLM provider contract`, () => {
    let harness: LlmServerHarness;

    beforeEach(async () => {
      harness = await start();
    });

    afterEach(async () => {
      await harness.server.close();
    });

    it('streams the tokens in order, then the usage the server reported', async () => {
      harness.script({
        kind: 'stream',
        tokens: ['Lore', 'Chat', ' answers', ' questions.'],
        usage: { inputTokens: 321, outputTokens: 4 },
      });

      const { events, error } = await run(harness.provider(), request);

      expect(error).toBeUndefined();
      expect(events).toEqual([
        { type: 'token', text: 'Lore' },
        { type: 'token', text: 'Chat' },
        { type: 'token', text: ' answers' },
        { type: 'token', text: ' questions.' },
        { type: 'usage', usage: { inputTokens: 321, outputTokens: 4 } },
      ]);
    });

    it('names its provider and model', () => {
      expect(harness.provider({ model: 'some-model' }).describe()).toEqual({
        provider: name,
        model: 'some-model',
      });
    });

    it('reports rejected credentials as an auth failure, without a secret in the message', async () => {
      harness.script({ kind: 'reject-key' });

      const error = llmError(await run(harness.provider(), request));

      expect(error.failure).toBe('auth');
      expect(error.status).toBe(harness.rejectedKey.status);
      for (const named of harness.rejectedKey.names) expect(error.message).toContain(named);
      for (const secret of harness.secrets) expect(error.message).not.toContain(secret);
    });

    it('reports a 429 as rate_limit, with the wait the server asks for', async () => {
      harness.script({ kind: 'throttle', retryAfterSeconds: 2 });

      const error = llmError(await run(harness.provider(), request));

      expect(error.failure).toBe('rate_limit');
      expect(error.status).toBe(429);
      if (harness.retryAfter) expect(error.retryAfterMs).toBe(2000);
    });

    it('reports a 500 as unavailable', async () => {
      harness.script({ kind: 'server-error' });

      const error = llmError(await run(harness.provider(), request));

      expect(error.failure).toBe('unavailable');
      expect(error.status).toBe(500);
    });

    it('leaves retrying to LoreChat: one request, even for a 500 or a 429', async () => {
      harness.script(
        { kind: 'server-error' },
        { kind: 'throttle', retryAfterSeconds: 0 },
        { kind: 'stream', tokens: ['Too', ' late'] },
      );

      expect(llmError(await run(harness.provider(), request)).status).toBe(500);
      expect(llmError(await run(harness.provider(), request)).status).toBe(429);
      expect(harness.server.requests).toHaveLength(2);
    });

    it('reports an error the server streams mid-answer as unavailable, after the tokens before it', async () => {
      harness.script({
        kind: 'stream',
        tokens: ['One', ' two', ' three'],
        tokenDelayMs: 20,
        interrupt: { afterTokens: 2, then: 'error' },
      });

      const outcome = await run(harness.provider(), request);

      expect(tokens(outcome.events)).toEqual(['One', ' two']);
      expect(outcome.events.some((event) => event.type === 'usage')).toBe(false);
      expect(llmError(outcome).failure).toBe('unavailable');
    });

    it('reports a stream cut off halfway as interrupted, after the tokens that arrived', async () => {
      harness.script({
        kind: 'stream',
        tokens: ['One', ' two', ' three', ' four'],
        tokenDelayMs: 20,
        interrupt: { afterTokens: 2, then: 'cut' },
      });

      const outcome = await run(harness.provider(), request);

      expect(tokens(outcome.events)).toEqual(['One', ' two']);
      expect(outcome.events.some((event) => event.type === 'usage')).toBe(false);
      expect(llmError(outcome).failure).toBe('interrupted');
    });

    it('times out a stalled stream and closes the connection to the server', async () => {
      harness.script({
        kind: 'stream',
        tokens: ['Thinking', ' hard'],
        interrupt: { afterTokens: 1, then: 'stall' },
      });

      const outcome = await run(harness.provider(), request, { idleTimeoutMs: 300 });

      expect(tokens(outcome.events)).toEqual(['Thinking']);
      expect(llmError(outcome).failure).toBe('timeout');
      await harness.server.waitForAbort();
      expect(harness.server.abortedRequests).toBe(1);
    });

    it('ends quietly when the caller cancels mid-stream, and closes the connection', async () => {
      harness.script({
        kind: 'stream',
        tokens: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'],
        tokenDelayMs: 50,
      });
      const cancel = new AbortController();

      const outcome = await run(harness.provider(), request, {
        signal: cancel.signal,
        onEvent: () => cancel.abort(),
      });

      expect(outcome.error).toBeUndefined();
      expect(outcome.events).toEqual([{ type: 'token', text: 'a' }]);
      await harness.server.waitForAbort();
      expect(harness.server.abortedRequests).toBe(1);
    });

    it('reports a refused connection as unavailable', async () => {
      const baseUrl = harness.baseUrlFor(await closedPortUrl());

      const error = llmError(await run(harness.provider({ baseUrl }), request));

      expect(error.failure).toBe('unavailable');
      expect(error.message).toContain('ECONNREFUSED');
    });
  });
}
