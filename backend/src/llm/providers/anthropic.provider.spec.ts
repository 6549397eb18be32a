import { type FakeAnthropic, startFakeAnthropic } from '../../../test/fakes/anthropic-server';
import { closedPortUrl, llmError, request, run, tokens } from '../../../test/support/llm-stream';
import { type LlmSettings } from '../../config/app-config';
import { AnthropicProvider } from './anthropic.provider';

const API_KEY = 'sk-ant-test-0123456789abcdefSECRET';

let anthropic: FakeAnthropic;

beforeEach(async () => {
  anthropic = await startFakeAnthropic();
});

afterEach(async () => {
  await anthropic.close();
});

function provider(overrides: Partial<LlmSettings> = {}): AnthropicProvider {
  return new AnthropicProvider({
    provider: 'anthropic',
    model: 'claude-haiku-test',
    baseUrl: anthropic.baseUrl,
    apiKey: API_KEY,
    timeoutMs: 2000,
    maxOutputTokens: 256,
    temperature: 0.2,
    ...overrides,
  });
}

describe('AnthropicProvider', () => {
  it('streams the tokens in order, then the usage the server reported', async () => {
    anthropic.setScript({
      kind: 'stream',
      tokens: ['Lore', 'Chat', ' answers', ' questions.'],
      usage: { inputTokens: 321, outputTokens: 4 },
    });

    const { events, error } = await run(provider(), request);

    expect(error).toBeUndefined();
    expect(events).toEqual([
      { type: 'token', text: 'Lore' },
      { type: 'token', text: 'Chat' },
      { type: 'token', text: ' answers' },
      { type: 'token', text: ' questions.' },
      { type: 'usage', usage: { inputTokens: 321, outputTokens: 4 } },
    ]);
  });

  it('sends the model, the system prompt, the history, the limit and the key', async () => {
    await run(provider(), request);

    expect(anthropic.requests).toHaveLength(1);
    const [received] = anthropic.requests;
    expect(received?.path).toBe('/v1/messages');
    // SDK 1.x sends the API key as a bearer token rather than in x-api-key.
    expect(received?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(received?.headers['anthropic-version']).toBeDefined();
    expect(received?.body).toEqual({
      model: 'claude-haiku-test',
      system: 'Answer only from the sources.',
      messages: request.messages,
      max_tokens: 256,
      stream: true,
    });
  });

  it('sends alternating turns that start and end with the user, whatever the history', async () => {
    await run(provider(), {
      ...request,
      messages: [
        { role: 'assistant', content: 'A greeting left over from a trimmed history.' },
        { role: 'user', content: 'First question, whose answer failed.' },
        { role: 'user', content: 'Second question.' },
        { role: 'assistant', content: '   ' },
        { role: 'assistant', content: 'An answer.' },
        { role: 'user', content: 'Current question.' },
        { role: 'assistant', content: 'A stray trailing answer.' },
      ],
    });

    expect(anthropic.requests[0]?.body.messages).toEqual([
      { role: 'user', content: 'First question, whose answer failed.\n\nSecond question.' },
      { role: 'assistant', content: 'An answer.' },
      { role: 'user', content: 'Current question.' },
    ]);
  });

  it('refuses a conversation with no user turn without calling the API', async () => {
    const error = llmError(
      await run(provider(), {
        ...request,
        messages: [{ role: 'assistant', content: 'Only an answer.' }],
      }),
    );

    expect(error.failure).toBe('bad_request');
    expect(anthropic.requests).toHaveLength(0);
  });

  it('reports a rejected key as an auth failure without the key in the message', async () => {
    anthropic.setScript({ kind: 'error', status: 401 });

    const error = llmError(await run(provider(), request));

    expect(error.failure).toBe('auth');
    expect(error.status).toBe(401);
    expect(error.message).toContain('401');
    expect(error.message).toContain('authentication_error');
    expect(error.message).not.toContain(API_KEY);
    expect(error.message).not.toContain('SECRET');
  });

  it('reports a 429 as rate_limit with the wait its retry-after asks for', async () => {
    anthropic.setScript({ kind: 'error', status: 429, retryAfter: '3' });

    const error = llmError(await run(provider(), request));

    expect(error.failure).toBe('rate_limit');
    expect(error.retryAfterMs).toBe(3000);
  });

  it('leaves retrying to LoreChat: the SDK sends one request, even for a 529 or a 429', async () => {
    anthropic.setScript([
      { kind: 'error', status: 529 },
      { kind: 'error', status: 429, retryAfter: '0' },
      { kind: 'stream', tokens: ['Too', ' late'] },
    ]);

    expect(llmError(await run(provider(), request)).status).toBe(529);
    expect(llmError(await run(provider(), request)).status).toBe(429);
    expect(anthropic.requests).toHaveLength(2);
  });

  it('reports a 500 and a 529 as unavailable', async () => {
    anthropic.setScript([
      { kind: 'error', status: 500 },
      { kind: 'error', status: 529 },
    ]);

    const serverError = llmError(await run(provider(), request));
    const overloaded = llmError(await run(provider(), request));

    expect(serverError.failure).toBe('unavailable');
    expect(serverError.status).toBe(500);
    expect(overloaded.failure).toBe('unavailable');
    expect(overloaded.status).toBe(529);
  });

  it.each([
    ['overloaded_error', 'unavailable'],
    ['api_error', 'unavailable'],
    ['rate_limit_error', 'rate_limit'],
  ])('reports a mid-stream %s event as %s, after the tokens before it', async (type, failure) => {
    anthropic.setScript({
      kind: 'stream',
      tokens: ['One', ' two', ' three'],
      tokenDelayMs: 20,
      interrupt: { afterTokens: 2, then: 'error', error: { type, message: 'Try again later' } },
    });

    const outcome = await run(provider(), request);

    expect(tokens(outcome.events)).toEqual(['One', ' two']);
    const error = llmError(outcome);
    expect(error.failure).toBe(failure);
    expect(error.message).toContain(type);
  });

  it('reports a stream cut off halfway as interrupted, after the tokens that arrived', async () => {
    anthropic.setScript({
      kind: 'stream',
      tokens: ['One', ' two', ' three', ' four'],
      tokenDelayMs: 20,
      interrupt: { afterTokens: 2, then: 'cut' },
    });

    const outcome = await run(provider(), request);

    expect(tokens(outcome.events)).toEqual(['One', ' two']);
    expect(llmError(outcome).failure).toBe('interrupted');
  });

  it('times out a stalled stream and closes the connection to the server', async () => {
    anthropic.setScript({
      kind: 'stream',
      tokens: ['Thinking', ' hard'],
      interrupt: { afterTokens: 1, then: 'stall' },
    });

    const outcome = await run(provider(), request, { idleTimeoutMs: 300 });

    expect(tokens(outcome.events)).toEqual(['Thinking']);
    expect(llmError(outcome).failure).toBe('timeout');
    await anthropic.waitForAbort();
  });

  it('ends quietly when the caller cancels mid-stream, and closes the connection', async () => {
    anthropic.setScript({
      kind: 'stream',
      tokens: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'],
      tokenDelayMs: 50,
    });
    const cancel = new AbortController();

    const outcome = await run(provider(), request, {
      signal: cancel.signal,
      onEvent: () => cancel.abort(),
    });

    expect(outcome.error).toBeUndefined();
    expect(tokens(outcome.events)).toEqual(['a']);
    await anthropic.waitForAbort();
  });

  it('reports a refused connection as unavailable', async () => {
    const error = llmError(await run(provider({ baseUrl: await closedPortUrl() }), request));

    expect(error.failure).toBe('unavailable');
    expect(error.message).toContain('ECONNREFUSED');
  });
});
