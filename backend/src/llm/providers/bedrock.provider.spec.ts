import { type LlmSettings } from '../../config/app-config';
import { FakeBedrockServer } from '../../../test/fakes/bedrock-server';
import { llmError, run } from '../../../test/support/llm-stream';
import { type LlmRequest } from '../llm-provider';
import { BedrockProvider } from './bedrock.provider';

// Static test credentials passed through the client config, so the default chain (env, profile
// files, instance metadata) is never consulted and the environment stays untouched.
const credentials = {
  accessKeyId: 'AKIALORECHATTEST0001',
  secretAccessKey: 'lorechat-test-secret-key-never-logged',
};

const request: LlmRequest = {
  system: 'Answer only from the sources.',
  messages: [
    { role: 'user', content: 'What is LoreChat?' },
    { role: 'assistant', content: 'A chat assistant for your website [1].' },
    { role: 'user', content: 'How do I deploy it?\n\nSources:\n[1] Run pulumi up.' },
  ],
  question: 'How do I deploy it?',
  sources: [
    { number: 1, url: 'https://docs.example/deploy', title: 'Deploy', text: 'Run pulumi up.' },
  ],
};

let server: FakeBedrockServer;
beforeEach(async () => {
  server = await FakeBedrockServer.start();
});
afterEach(() => server.close());

function bedrock(settings: Partial<LlmSettings> = {}): BedrockProvider {
  return new BedrockProvider(
    {
      provider: 'bedrock',
      model: 'amazon.nova-lite-v1:0',
      baseUrl: server.url,
      region: 'eu-west-1',
      timeoutMs: 2_000,
      maxOutputTokens: 300,
      temperature: 0.2,
      ...settings,
    },
    { credentials },
  );
}

/** Consumes the provider through the shared guard, sorting what arrived into tokens and usages. */
async function answer(
  provider: BedrockProvider,
  {
    llmRequest = request,
    idleTimeoutMs = 2_000,
    signal,
    onToken = () => undefined,
  }: {
    llmRequest?: LlmRequest;
    idleTimeoutMs?: number;
    signal?: AbortSignal;
    onToken?: (tokensSoFar: string[]) => void;
  } = {},
) {
  const tokens: string[] = [];
  const outcome = await run(provider, llmRequest, {
    idleTimeoutMs,
    signal,
    onEvent: (event) => {
      if (event.type !== 'token') return;
      tokens.push(event.text);
      onToken(tokens);
    },
  });
  const usages = outcome.events.flatMap((event) => (event.type === 'usage' ? [event.usage] : []));
  return { tokens, usages, error: outcome.error === undefined ? undefined : llmError(outcome) };
}

describe('BedrockProvider', () => {
  it('streams the answer token by token and reports usage once', async () => {
    server.respondWith({
      tokens: ['Run', ' pulumi', ' up', ' [1].'],
      usage: { inputTokens: 120, outputTokens: 4 },
    });

    const result = await answer(bedrock());

    expect(result.error).toBeUndefined();
    expect(result.tokens).toEqual(['Run', ' pulumi', ' up', ' [1].']);
    expect(result.usages).toEqual([{ inputTokens: 120, outputTokens: 4 }]);
    expect(bedrock().describe()).toEqual({ provider: 'bedrock', model: 'amazon.nova-lite-v1:0' });
  });

  it('sends a signed ConverseStream request with the system rules, turns and inference settings', async () => {
    await answer(bedrock({ maxOutputTokens: 300, temperature: 0.2 }));

    expect(server.requests).toHaveLength(1);
    const [sent] = server.requests;
    expect(sent?.method).toBe('POST');
    expect(sent?.modelId).toBe('amazon.nova-lite-v1:0');
    expect(sent?.path).toBe('/model/amazon.nova-lite-v1%3A0/converse-stream');
    expect(sent?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIALORECHATTEST0001\/\d{8}\/eu-west-1\/bedrock\/aws4_request, SignedHeaders=.+, Signature=[0-9a-f]{64}$/,
    );
    expect(sent?.body).toEqual({
      system: [{ text: 'Answer only from the sources.' }],
      messages: [
        { role: 'user', content: [{ text: 'What is LoreChat?' }] },
        { role: 'assistant', content: [{ text: 'A chat assistant for your website [1].' }] },
        {
          role: 'user',
          content: [{ text: 'How do I deploy it?\n\nSources:\n[1] Run pulumi up.' }],
        },
      ],
      inferenceConfig: { maxTokens: 300, temperature: 0.2 },
    });
  });

  it('sends a conversation that starts with the user and alternates, whatever the history', async () => {
    const oddHistory: LlmRequest = {
      ...request,
      messages: [
        { role: 'assistant', content: 'Hi! Ask me anything.' },
        { role: 'user', content: 'First question, cancelled before the answer' },
        { role: 'assistant', content: '   ' },
        { role: 'user', content: 'Second question' },
      ],
    };

    await answer(bedrock(), { llmRequest: oddHistory });

    expect((server.requests[0]?.body as { messages: unknown }).messages).toEqual([
      {
        role: 'user',
        content: [{ text: 'First question, cancelled before the answer\n\nSecond question' }],
      },
    ]);
  });

  it('reports rejected credentials as auth, without the secret in the message', async () => {
    server.respondWith({
      httpError: { status: 403, type: 'AccessDeniedException', message: 'You are not authorized' },
    });

    const { error } = await answer(bedrock());

    expect(error?.failure).toBe('auth');
    expect(error?.status).toBe(403);
    expect(error?.message).toContain('AccessDeniedException');
    expect(error?.message).not.toContain(credentials.secretAccessKey);
  });

  it('reports throttling as rate_limit', async () => {
    server.respondWith({
      httpError: { status: 429, type: 'ThrottlingException', message: 'Too many requests' },
    });

    const { error } = await answer(bedrock());

    expect(error?.failure).toBe('rate_limit');
  });

  it('leaves retrying to LoreChat: the SDK sends one request, even when throttled', async () => {
    server.respondWith(
      { httpError: { status: 429, type: 'ThrottlingException', message: 'Too many requests' } },
      { httpError: { status: 503, type: 'ServiceUnavailableException', message: 'Try later' } },
      { tokens: ['Too', ' late'] },
    );

    expect((await answer(bedrock())).error?.failure).toBe('rate_limit');
    expect((await answer(bedrock())).error?.failure).toBe('unavailable');
    expect(server.requests).toHaveLength(2);
  });

  it('reports a server error as unavailable', async () => {
    server.respondWith({
      httpError: { status: 500, type: 'InternalServerException', message: 'Internal error' },
    });

    const { error } = await answer(bedrock());

    expect(error?.failure).toBe('unavailable');
    expect(error?.status).toBe(500);
  });

  it.each([
    ['throttlingException', 'rate_limit'],
    ['modelStreamErrorException', 'unavailable'],
    ['validationException', 'bad_request'],
  ])('maps an in-band %s after the first tokens to %s', async (exceptionType, failure) => {
    server.respondWith({
      tokens: ['Partial', ' answer', ' never sent'],
      exceptionAfterTokens: { after: 2, type: exceptionType, message: 'stream failed' },
    });

    const { tokens, usages, error } = await answer(bedrock());

    expect(tokens).toEqual(['Partial', ' answer']);
    expect(usages).toEqual([]);
    expect(error?.failure).toBe(failure);
    expect(error?.message).toContain('stream failed');
  });

  it('reports a stream cut off mid-answer as interrupted', async () => {
    server.respondWith({ tokens: ['One', ' two', ' three'], cutOffAfterTokens: 2 });

    const { tokens, usages, error } = await answer(bedrock());

    expect(tokens).toEqual(['One', ' two']);
    expect(usages).toEqual([]);
    expect(error?.failure).toBe('interrupted');
  });

  it('times out a stalled stream and closes the connection', async () => {
    server.respondWith({ tokens: ['Still', ' thinking'], stallAfterTokens: 1 });

    const { tokens, error } = await answer(bedrock(), { idleTimeoutMs: 300 });

    expect(tokens).toEqual(['Still']);
    expect(error?.failure).toBe('timeout');
    await server.waitForAbort();
    expect(server.abortedRequests).toBe(1);
  });

  it('stops quietly when the visitor cancels, and closes the connection', async () => {
    server.respondWith({ tokens: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'], tokenDelayMs: 50 });
    const visitor = new AbortController();

    const { tokens, usages, error } = await answer(bedrock(), {
      signal: visitor.signal,
      onToken: (soFar) => soFar.length === 2 && visitor.abort(),
    });

    expect(error).toBeUndefined();
    expect(tokens).toEqual(['a', 'b']);
    expect(usages).toEqual([]);
    await server.waitForAbort();
    expect(server.abortedRequests).toBe(1);
  });

  it('reports a refused connection as unavailable', async () => {
    const gone = await FakeBedrockServer.start();
    await gone.close();

    const { error } = await answer(bedrock({ baseUrl: gone.url }));

    expect(error?.failure).toBe('unavailable');
    expect(error?.message).toContain('ECONNREFUSED');
  });
});
