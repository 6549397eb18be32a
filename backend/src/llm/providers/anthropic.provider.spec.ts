import {
  type FakeAnthropic,
  type FakeAnthropicBehaviour,
  startFakeAnthropic,
} from '../../../test/fakes/anthropic-server';
import { describeLlmProviderContract } from '../../../test/llm-provider.contract';
import { llmError, request, run, tokens } from '../../../test/support/llm-stream';
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

const settings: LlmSettings = {
  provider: 'anthropic',
  model: 'claude-haiku-test',
  apiKey: API_KEY,
  timeoutMs: 2000,
  maxOutputTokens: 256,
  temperature: 0.2,
};

function provider(overrides: Partial<LlmSettings> = {}): AnthropicProvider {
  return new AnthropicProvider({ ...settings, baseUrl: anthropic.baseUrl, ...overrides });
}

describeLlmProviderContract('anthropic', async () => {
  const server = await startFakeAnthropic();
  return {
    server,
    provider: (overrides) =>
      new AnthropicProvider({ ...settings, baseUrl: server.baseUrl, ...overrides }),
    script: (...scenarios) =>
      server.setScript(
        scenarios.map((scenario): FakeAnthropicBehaviour => {
          switch (scenario.kind) {
            case 'stream': {
              const { interrupt, ...stream } = scenario;
              if (interrupt?.then !== 'error')
                return {
                  ...stream,
                  interrupt: interrupt && {
                    afterTokens: interrupt.afterTokens,
                    then: interrupt.then,
                  },
                };
              const error = { type: 'api_error', message: 'Internal server error' };
              return {
                ...stream,
                interrupt: { afterTokens: interrupt.afterTokens, then: 'error', error },
              };
            }
            case 'reject-key':
              return { kind: 'error', status: 401 };
            case 'throttle':
              return { kind: 'error', status: 429, retryAfter: String(scenario.retryAfterSeconds) };
            case 'server-error':
              return { kind: 'error', status: 500 };
          }
        }),
      ),
    baseUrlFor: (url) => url,
    // The SDK names the status and Anthropic's error type.
    rejectedKey: { status: 401, names: ['401', 'authentication_error'] },
    secrets: [API_KEY, 'SECRET'],
    retryAfter: true,
  };
});

describe('AnthropicProvider', () => {
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
});
