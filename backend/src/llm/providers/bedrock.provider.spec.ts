import { type LlmSettings } from '../../config/app-config';
import { type BedrockScript, FakeBedrockServer } from '../../../test/fakes/bedrock-server';
import { describeLlmProviderContract } from '../../../test/llm-provider.contract';
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

const settings: LlmSettings = {
  provider: 'bedrock',
  model: 'amazon.nova-lite-v1:0',
  region: 'eu-west-1',
  timeoutMs: 2_000,
  maxOutputTokens: 300,
  temperature: 0.2,
};

function bedrock(overrides: Partial<LlmSettings> = {}): BedrockProvider {
  return new BedrockProvider({ ...settings, baseUrl: server.url, ...overrides }, { credentials });
}

describeLlmProviderContract('bedrock', async () => {
  const fake = await FakeBedrockServer.start();
  return {
    server: fake,
    provider: (overrides) =>
      new BedrockProvider({ ...settings, baseUrl: fake.url, ...overrides }, { credentials }),
    script: (...scenarios) =>
      fake.respondWith(
        ...scenarios.map((scenario): BedrockScript => {
          switch (scenario.kind) {
            case 'stream': {
              const { tokens, usage, tokenDelayMs, interrupt } = scenario;
              const after = interrupt?.afterTokens;
              return {
                tokens,
                usage,
                tokenDelayMs,
                cutOffAfterTokens: interrupt?.then === 'cut' ? after : undefined,
                stallAfterTokens: interrupt?.then === 'stall' ? after : undefined,
                exceptionAfterTokens:
                  interrupt?.then === 'error' && after !== undefined
                    ? { after, type: 'modelStreamErrorException', message: 'stream failed' }
                    : undefined,
              };
            }
            case 'reject-key':
              return {
                httpError: {
                  status: 403,
                  type: 'AccessDeniedException',
                  message: 'You are not authorized',
                },
              };
            case 'throttle':
              return {
                httpError: {
                  status: 429,
                  type: 'ThrottlingException',
                  message: 'Too many requests',
                },
              };
            case 'server-error':
              return {
                httpError: {
                  status: 500,
                  type: 'InternalServerException',
                  message: 'Internal error',
                },
              };
          }
        }),
      ),
    baseUrlFor: (url) => url,
    rejectedKey: { status: 403, names: ['AccessDeniedException'] },
    secrets: [credentials.secretAccessKey],
    // Bedrock sends no retry-after: the backoff decides the wait.
    retryAfter: false,
  };
});

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
});
