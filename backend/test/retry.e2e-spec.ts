/**
 * Retries of a lone provider (no LLM_FALLBACK), end to end: the started app's real OpenAI provider
 * talks HTTP to the fake OpenAI server (test/fakes/openai-server.ts, a local server speaking the
 * Chat Completions SSE protocol), which fails as each test scripts it. The log is captured through
 * Nest's Logger, which every LoreChat log line goes through, to check that each failure is logged
 * once, with its cause, and never with the API key or the request.
 */
import { Logger } from '@nestjs/common';
import { type FakeOpenAi, startFakeOpenAi } from './fakes/openai-server';
import { ChatClient, type RunningApp, startApp, fakeOpenAiEnv } from './support/app';

const API_KEY = 'sk-test-e2e-retry-key-0123456789SECRET';
const LOG_METHODS = ['log', 'warn', 'error', 'debug', 'verbose', 'fatal'] as const;

describe('provider retries', () => {
  let openAi: FakeOpenAi;
  let running: RunningApp;
  let client: ChatClient;
  let lines: string[];
  let spies: jest.SpyInstance[];

  beforeAll(async () => {
    openAi = await startFakeOpenAi();
    running = await startApp({
      ...fakeOpenAiEnv(openAi, API_KEY),
      LLM_MAX_RETRIES: '2',
      LLM_RETRY_BASE_MS: '1',
    });
    client = await ChatClient.connect(running.url);
  });
  afterAll(async () => {
    client.close();
    await running.stop();
    await openAi.close();
  });
  beforeEach(() => {
    lines = [];
    spies = LOG_METHODS.map((method) =>
      jest.spyOn(Logger.prototype, method).mockImplementation((...args: unknown[]) => {
        lines.push(
          args.map((arg) => (typeof arg === 'string' ? arg : JSON.stringify(arg))).join(' '),
        );
      }),
    );
  });
  afterEach(() => {
    for (const spy of spies) spy.mockRestore();
  });

  /** Log lines that mention `text`. */
  const logged = (text: string) => lines.filter((line) => line.includes(text));

  it('answers after the primary returns 500 twice, in three requests, logging each failure once', async () => {
    openAi.setScript([
      { kind: 'error', status: 500 },
      { kind: 'error', status: 500 },
      { kind: 'stream', tokens: ['Third ', 'time ', 'lucky.'] },
    ]);
    const before = openAi.requests.length;

    const answer = await client.askAndWait({ text: 'How do I deploy to production?' });

    expect(answer.error).toBeUndefined();
    expect(answer.text).toBe('Third time lucky.');
    expect(answer.done).toBeDefined();
    expect(openAi.requests.length - before).toBe(3);
    expect(logged('failed')).toEqual([
      expect.stringMatching(
        /^openai\/gpt-test attempt 1\/3 failed with unavailable \(HTTP 500\): openai: API returned 500 \(server_error\); retrying in \d+ ms$/,
      ),
      expect.stringMatching(
        /^openai\/gpt-test attempt 2\/3 failed with unavailable .*; retrying in/,
      ),
    ]);
    expect(lines.join('\n')).not.toContain(API_KEY);
  });

  it('gives up after its retries with provider_unavailable, logging the last failure once', async () => {
    openAi.setScript({ kind: 'error', status: 503 });
    const before = openAi.requests.length;
    const question = 'Where do I paste the widget script tag?';

    const answer = await client.askAndWait({ text: question });

    expect(answer.error).toMatchObject({ code: 'provider_unavailable' });
    expect(openAi.requests.length - before).toBe(3);
    for (const attempt of [1, 2, 3]) {
      expect(
        logged(`openai/gpt-test attempt ${attempt}/3 failed with unavailable (HTTP 503)`),
      ).toHaveLength(1);
    }
    expect(logged('attempt 3/3')).toEqual([expect.stringMatching(/; no retries left$/)]);
    expect(lines.join('\n')).not.toContain(question);
    expect(lines.join('\n')).not.toContain(API_KEY);
  });

  it('does not retry a rejected key, and never logs the key the provider echoed back', async () => {
    // The fake's 401 body repeats the whole key it received, as OpenAI's repeats part of it.
    openAi.setScript({ kind: 'error', status: 401 });
    const before = openAi.requests.length;

    const answer = await client.askAndWait({ text: 'How do I tear down the stack?' });

    expect(answer.error).toMatchObject({ code: 'provider_unavailable' });
    expect(openAi.requests.length - before).toBe(1);
    expect(logged('failed')).toEqual([
      expect.stringMatching(/attempt 1\/3 failed with auth \(HTTP 401\): .*; not retryable$/),
    ]);
    expect(lines.join('\n')).not.toContain(API_KEY);
    expect(lines.join('\n')).not.toContain('SECRET');
  });
});
