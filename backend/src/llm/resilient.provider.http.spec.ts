/**
 * Retries over real HTTP: each provider, with its real client (node:http for OpenAI, the official
 * SDKs for Anthropic and Bedrock), talks to a local fake server that speaks that provider's wire
 * protocol (test/fakes: OpenAI's and Anthropic's server-sent events, Bedrock's binary event-stream
 * frames), wrapped in the ResilientLlmProvider the app uses. The request counts show that no
 * client retries on its own and that LoreChat's policy does the retrying.
 */
import { Logger } from '@nestjs/common';
import { type FakeAnthropic, startFakeAnthropic } from '../../test/fakes/anthropic-server';
import { FakeBedrockServer } from '../../test/fakes/bedrock-server';
import { type FakeOpenAi, startFakeOpenAi } from '../../test/fakes/openai-server';
import { request } from '../../test/support/llm-stream';
import { type LlmSettings } from '../config/app-config';
import { type LlmEvent, type LlmProvider } from './llm-provider';
import { AnthropicProvider } from './providers/anthropic.provider';
import { BedrockProvider } from './providers/bedrock.provider';
import { OpenAiProvider } from './providers/openai.provider';
import { ResilientLlmProvider } from './resilient.provider';
import { RetryPolicy } from './retry-policy';

const SETTINGS = { timeoutMs: 2000, maxOutputTokens: 64, temperature: 0.2 };

/** A lone provider, as without LLM_FALLBACK: two retries, no pause, a short first-token timeout. */
function resilient(provider: LlmProvider, timeoutMs = 2000): ResilientLlmProvider {
  return new ResilientLlmProvider([{ provider }], {
    timeoutMs,
    retry: new RetryPolicy({ retries: 2, baseMs: 1, random: () => 0 }),
  });
}

async function answer(provider: LlmProvider) {
  const events: LlmEvent[] = [];
  try {
    for await (const event of provider.stream(request, new AbortController().signal)) {
      events.push(event);
    }
    return { events, text: text(events) };
  } catch (error) {
    return { events, text: text(events), error: error as Error };
  }
}

const text = (events: LlmEvent[]) =>
  events.map((event) => (event.type === 'token' ? event.text : '')).join('');

let warn: jest.SpyInstance;
beforeEach(() => {
  warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
});
afterEach(() => warn.mockRestore());

describe('retries against a fake OpenAI server (Chat Completions over SSE)', () => {
  let openAi: FakeOpenAi;
  beforeEach(async () => {
    openAi = await startFakeOpenAi();
  });
  afterEach(() => openAi.close());

  const openAiProvider = (settings: Partial<LlmSettings> = {}) =>
    new OpenAiProvider({
      provider: 'openai',
      model: 'gpt-test',
      baseUrl: openAi.baseUrl,
      apiKey: 'sk-test-http-retries-SECRET',
      ...SETTINGS,
      ...settings,
    });

  it('answers after two 500s, in three requests', async () => {
    openAi.setScript([
      { kind: 'error', status: 500 },
      { kind: 'error', status: 500 },
      { kind: 'stream', tokens: ['Third', ' time'] },
    ]);
    const result = await answer(resilient(openAiProvider()));
    expect(result.error).toBeUndefined();
    expect(result.text).toBe('Third time');
    expect(openAi.requests).toHaveLength(3);
  });

  it('waits the retry-after the server sent before trying again', async () => {
    openAi.setScript([
      { kind: 'error', status: 429, retryAfter: '0.2' },
      { kind: 'stream', tokens: ['ok'] },
    ]);
    const started = performance.now();
    const result = await answer(resilient(openAiProvider()));
    expect(result.text).toBe('ok');
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
    expect(warn).toHaveBeenCalledWith(
      'openai/gpt-test attempt 1/3 failed with rate_limit (HTTP 429): openai: API returned 429 (requests/rate_limit_exceeded); retrying in 200 ms',
    );
  });

  it('aborts an attempt that hangs after accepting the request, and retries it', async () => {
    openAi.setScript([
      { kind: 'stream', tokens: ['never'], interrupt: { afterTokens: 0, then: 'stall' } },
      { kind: 'stream', tokens: ['Second', ' try'] },
    ]);
    const result = await answer(resilient(openAiProvider(), 200));
    expect(result.text).toBe('Second try');
    expect(openAi.requests).toHaveLength(2);
    await openAi.waitForAbort();
  });

  it('never retries a stream that breaks after its first token: no token twice', async () => {
    openAi.setScript({
      kind: 'stream',
      tokens: ['One', ' two', ' three'],
      tokenDelayMs: 20,
      interrupt: { afterTokens: 2, then: 'cut' },
    });
    const result = await answer(resilient(openAiProvider()));
    expect(result.text).toBe('One two');
    expect(result.error).toMatchObject({ failure: 'interrupted' });
    expect(openAi.requests).toHaveLength(1);
  });
});

describe('retries against a fake Anthropic server (Messages API over SSE)', () => {
  let anthropic: FakeAnthropic;
  beforeEach(async () => {
    anthropic = await startFakeAnthropic();
  });
  afterEach(() => anthropic.close());

  it('answers after a 529 and a 429, in three requests', async () => {
    anthropic.setScript([
      { kind: 'error', status: 529 },
      { kind: 'error', status: 429, retryAfter: '0' },
      { kind: 'stream', tokens: ['Third', ' time'] },
    ]);
    const provider = new AnthropicProvider({
      provider: 'anthropic',
      model: 'claude-test',
      baseUrl: anthropic.baseUrl,
      apiKey: 'sk-ant-test-http-retries-SECRET',
      ...SETTINGS,
    });
    const result = await answer(resilient(provider));
    expect(result.error).toBeUndefined();
    expect(result.text).toBe('Third time');
    expect(anthropic.requests).toHaveLength(3);
  });
});

describe('retries against a fake Bedrock server (ConverseStream, AWS event-stream frames)', () => {
  let bedrock: FakeBedrockServer;
  beforeEach(async () => {
    bedrock = await FakeBedrockServer.start();
  });
  afterEach(() => bedrock.close());

  it('answers after throttling and a 503, in three requests', async () => {
    bedrock.respondWith(
      { httpError: { status: 429, type: 'ThrottlingException', message: 'Too many requests' } },
      { httpError: { status: 503, type: 'ServiceUnavailableException', message: 'Try later' } },
      { tokens: ['Third', ' time'] },
    );
    const provider = new BedrockProvider(
      {
        provider: 'bedrock',
        model: 'amazon.nova-lite-v1:0',
        baseUrl: bedrock.url,
        region: 'eu-west-1',
        ...SETTINGS,
      },
      { credentials: { accessKeyId: 'AKIALORECHATTEST0002', secretAccessKey: 'test-secret' } },
    );
    const result = await answer(resilient(provider));
    expect(result.error).toBeUndefined();
    expect(result.text).toBe('Third time');
    expect(bedrock.requests).toHaveLength(3);
  });
});
