import { once } from 'node:events';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type FakeOpenAi, startFakeOpenAi } from '../../../test/fakes/openai-server';
import { closedPortUrl, llmError, request, run, tokens } from '../../../test/support/llm-stream';
import { type LlmSettings } from '../../config/app-config';
import { OpenAiProvider } from './openai.provider';

const API_KEY = 'sk-test-0123456789abcdefSECRET';

let openAi: FakeOpenAi;

beforeEach(async () => {
  openAi = await startFakeOpenAi();
});

afterEach(async () => {
  await openAi.close();
});

function provider(overrides: Partial<LlmSettings> = {}): OpenAiProvider {
  return new OpenAiProvider({
    provider: 'openai',
    model: 'gpt-4o-mini',
    baseUrl: openAi.baseUrl,
    apiKey: API_KEY,
    timeoutMs: 2000,
    maxOutputTokens: 256,
    temperature: 0.2,
    ...overrides,
  });
}

describe('OpenAiProvider', () => {
  it('streams the tokens in order, then the usage the server reported', async () => {
    openAi.setScript({
      kind: 'stream',
      tokens: ['Lore', 'Chat', ' answers', ' questions.'],
      usage: { promptTokens: 321, completionTokens: 4 },
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

  it('sends the model, the system prompt, the history, the limits and the key', async () => {
    await run(provider(), request);

    expect(openAi.requests).toHaveLength(1);
    const [received] = openAi.requests;
    expect(received?.path).toBe('/v1/chat/completions');
    expect(received?.headers.authorization).toBe(`Bearer ${API_KEY}`);
    expect(received?.body).toMatchObject({
      model: 'gpt-4o-mini',
      messages: [{ role: 'system', content: 'Answer only from the sources.' }, ...request.messages],
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 256,
      temperature: 0.2,
    });
  });

  it('sends no key to a compatible server when none is configured', async () => {
    await run(provider({ apiKey: undefined }), request);

    expect(openAi.requests).toHaveLength(1);
    expect(openAi.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('estimates usage at about 4 characters per token when a finished stream reports none', async () => {
    openAi.setScript({ kind: 'stream', tokens: ['Twelve chars'], usage: 'omit' });

    const { events, error } = await run(provider(), request);

    expect(error).toBeUndefined();
    const promptChars =
      request.system.length + request.messages.reduce((sum, turn) => sum + turn.content.length, 0);
    expect(events.at(-1)).toEqual({
      type: 'usage',
      usage: { inputTokens: Math.ceil(promptChars / 4), outputTokens: 3 },
    });
  });

  it('reports a rejected key as an auth failure without the key in the message', async () => {
    openAi.setScript({ kind: 'error', status: 401 });

    const error = llmError(await run(provider(), request));

    expect(error.failure).toBe('auth');
    expect(error.status).toBe(401);
    expect(error.message).toContain('401');
    expect(error.message).not.toContain(API_KEY);
    expect(error.message).not.toContain('SECRET');
  });

  it('reports a 429 as rate_limit with the wait its retry-after asks for', async () => {
    openAi.setScript({ kind: 'error', status: 429, retryAfter: '2' });

    const error = llmError(await run(provider(), request));

    expect(error.failure).toBe('rate_limit');
    expect(error.retryAfterMs).toBe(2000);
  });

  it('leaves retrying to LoreChat: one request, even for a 500 or a 429', async () => {
    openAi.setScript([
      { kind: 'error', status: 500 },
      { kind: 'error', status: 429, retryAfter: '0' },
      { kind: 'stream', tokens: ['Too', ' late'] },
    ]);

    expect(llmError(await run(provider(), request)).status).toBe(500);
    expect(llmError(await run(provider(), request)).status).toBe(429);
    expect(openAi.requests).toHaveLength(2);
  });

  it('reports a 500 as unavailable', async () => {
    openAi.setScript({ kind: 'error', status: 500 });

    const error = llmError(await run(provider(), request));

    expect(error.failure).toBe('unavailable');
    expect(error.status).toBe(500);
  });

  it('reports a stream cut off halfway as interrupted, after the tokens that arrived', async () => {
    openAi.setScript({
      kind: 'stream',
      tokens: ['One', ' two', ' three', ' four'],
      tokenDelayMs: 20,
      interrupt: { afterTokens: 2, then: 'cut' },
    });

    const outcome = await run(provider(), request);

    expect(tokens(outcome.events)).toEqual(['One', ' two']);
    expect(llmError(outcome).failure).toBe('interrupted');
  });

  it('reports an error the server streams mid-answer as unavailable, after the tokens before it', async () => {
    openAi.setScript({
      kind: 'stream',
      tokens: ['One', ' two', ' three'],
      interrupt: { afterTokens: 2, then: 'error' },
    });

    const outcome = await run(provider(), request);

    expect(tokens(outcome.events)).toEqual(['One', ' two']);
    expect(llmError(outcome).failure).toBe('unavailable');
    expect(llmError(outcome).message).toBe('openai: the stream reported an error (server_error)');
  });

  it('keeps its connection to the server open from one answer to the next', async () => {
    const openAiProvider = provider();
    for (let i = 0; i < 3; i++) expect((await run(openAiProvider, request)).error).toBeUndefined();

    expect(openAi.requests).toHaveLength(3);
    expect(openAi.connections).toBe(1);
  });

  it('times out a stalled stream and closes the connection to the server', async () => {
    openAi.setScript({
      kind: 'stream',
      tokens: ['Thinking', ' hard'],
      interrupt: { afterTokens: 1, then: 'stall' },
    });

    const outcome = await run(provider(), request, { idleTimeoutMs: 300 });

    expect(tokens(outcome.events)).toEqual(['Thinking']);
    expect(llmError(outcome).failure).toBe('timeout');
    await openAi.waitForAbort();
  });

  it('ends quietly when the caller cancels mid-stream, and closes the connection', async () => {
    openAi.setScript({
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
    await openAi.waitForAbort();
  });

  it('reports a server that answers without streaming as unavailable, naming what it sent', async () => {
    // A plain HTTP server standing in for a compatible server that ignores `stream: true`.
    const server = createServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ choices: [{ message: { content: 'All at once.' } }] }));
    }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const error = llmError(
        await run(provider({ baseUrl: `http://127.0.0.1:${port}/v1` }), request),
      );

      expect(error.failure).toBe('unavailable');
      expect(error.message).toBe(
        `openai: 127.0.0.1:${port} answered without an event stream (application/json)`,
      );
    } finally {
      server.close();
    }
  });

  it('reports a refused connection as unavailable', async () => {
    const error = llmError(
      await run(provider({ baseUrl: `${await closedPortUrl()}/v1` }), request),
    );

    expect(error.failure).toBe('unavailable');
    expect(error.message).toContain('ECONNREFUSED');
  });
});
