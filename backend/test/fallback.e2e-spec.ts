/**
 * Provider fallback, end to end: the started app's real OpenAI provider talks HTTP to the fake
 * OpenAI server (test/fakes/openai-server.ts, a local server speaking the Chat Completions SSE
 * protocol), which fails or hangs as each test scripts it; LLM_FALLBACK=extractive (the offline
 * answerer, in process) answers instead, so the visitor still gets an answer with its sources.
 */
import { type FakeOpenAi, startFakeOpenAi } from './fakes/openai-server';
import { ChatClient, type RunningApp, startApp, fakeOpenAiEnv } from './support/app';
import { LogCapture } from './support/logs';

const TIMEOUT_MS = 300;

describe('provider fallback', () => {
  let openAi: FakeOpenAi;
  let running: RunningApp;
  let client: ChatClient;
  const logs = new LogCapture();

  beforeAll(async () => {
    openAi = await startFakeOpenAi();
    running = await startApp(
      {
        ...fakeOpenAiEnv(openAi),
        LLM_FALLBACK: 'extractive',
        LLM_TIMEOUT_MS: String(TIMEOUT_MS),
        LLM_MAX_RETRIES: '1',
        LLM_RETRY_BASE_MS: '1',
        // Every test fails the primary on purpose; its breaker must not skip it for the next test.
        LLM_BREAKER_FAILURES: '1000',
        LOG_LEVEL: 'log',
      },
      { logDestination: logs },
    );
    client = await ChatClient.connect(running.url);
  });
  afterAll(async () => {
    client.close();
    await running.stop();
    await openAi.close();
  });

  it('answers from the fallback when the primary returns 500 on each attempt before its first token', async () => {
    openAi.setScript({ kind: 'error', status: 500 });
    const before = openAi.requests.length;

    const answer = await client.askAndWait({ text: 'How do I deploy to production?' });

    expect(openAi.requests.length - before).toBe(2); // the first attempt and one retry
    expect(answer.error).toBeUndefined();
    expect(answer.text).toMatch(/pulumi up -s prod/);
    expect(answer.sources?.[0]?.url).toBe(
      'http://lorechat.test/docs/deployment.md#deploy-to-production',
    );
    expect(answer.done).toBeDefined();
    // The answer's log line names who wrote it: the fallback, not the configured primary.
    const finished = await logs.lineWhere(
      (line) => line.msg === 'answer finished' && line.messageId === answer.accepted.messageId,
    );
    expect(finished).toMatchObject({ provider: 'extractive', model: 'extractive' });
  });

  it('answers from the fallback after the first-token timeout when the primary accepts the request and hangs', async () => {
    openAi.setScript({
      kind: 'stream',
      tokens: ['never'],
      interrupt: { afterTokens: 0, then: 'stall' },
    });
    const before = openAi.requests.length;
    const aborted = openAi.abortedRequests;
    const started = performance.now();

    const answer = await client.askAndWait({ text: 'How do I deploy to production?' });

    expect(answer.error).toBeUndefined();
    expect(answer.text).toMatch(/pulumi up -s prod/);
    expect(openAi.requests.length - before).toBe(2);
    // Each hung attempt's HTTP request was aborted, not left open.
    await openAi.waitForAbort(aborted + 2);
    expect(performance.now() - started).toBeGreaterThanOrEqual(2 * TIMEOUT_MS);
  });

  it('neither retries nor falls back once the primary has sent a token: an error, no token twice', async () => {
    openAi.setScript({
      kind: 'stream',
      tokens: ['Run ', 'pulumi ', 'up'],
      tokenDelayMs: 20,
      interrupt: { afterTokens: 2, then: 'cut' },
    });
    const before = openAi.requests.length;

    const answer = await client.askAndWait({ text: 'How do I deploy to production?' });

    expect(answer.tokens).toEqual(['Run ', 'pulumi ']);
    expect(answer.error).toMatchObject({ code: 'provider_unavailable' });
    expect(answer.done).toBeUndefined();
    expect(openAi.requests.length - before).toBe(1);
  });

  it("never caches the fallback's answer under the primary's name", async () => {
    const question = 'How do I tear down a deployment?';
    openAi.setScript({ kind: 'error', status: 500 });
    const before = openAi.requests.length;

    const fromFallback = await client.askAndWait({ text: question });
    const again = await client.askAndWait({ text: question });

    expect(fromFallback.error).toBeUndefined();
    expect(again.done?.usage.outputTokens).toBeGreaterThan(0); // answered anew, not replayed
    expect(openAi.requests.length - before).toBe(4);

    // Once the primary answers, its answer is cached as usual.
    openAi.setScript({ kind: 'stream', tokens: ['From ', 'the ', 'primary.'] });
    const fromPrimary = await client.askAndWait({ text: question });
    const cached = await client.askAndWait({ text: question });
    expect(fromPrimary.text).toBe('From the primary.');
    expect(cached.text).toBe('From the primary.');
    expect(cached.done?.usage).toEqual({ inputTokens: 0, outputTokens: 0 });
    expect(openAi.requests.length - before).toBe(5);
  });
});
