import { once } from 'node:events';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type FakeOpenAi, startFakeOpenAi } from '../../../test/fakes/openai-server';
import { describeLlmProviderContract } from '../../../test/llm-provider.contract';
import { llmError, request, run, tokens } from '../../../test/support/llm-stream';
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

const settings: LlmSettings = {
  provider: 'openai',
  model: 'gpt-4o-mini',
  apiKey: API_KEY,
  timeoutMs: 2000,
  maxOutputTokens: 256,
  temperature: 0.2,
};

function provider(overrides: Partial<LlmSettings> = {}): OpenAiProvider {
  return new OpenAiProvider({ ...settings, baseUrl: openAi.baseUrl, ...overrides });
}

describeLlmProviderContract('openai', async () => {
  const server = await startFakeOpenAi();
  return {
    server,
    provider: (overrides) =>
      new OpenAiProvider({ ...settings, baseUrl: server.baseUrl, ...overrides }),
    script: (...scenarios) =>
      server.setScript(
        scenarios.map((scenario) => {
          switch (scenario.kind) {
            case 'stream': {
              const { usage, ...stream } = scenario;
              const reported = usage && {
                promptTokens: usage.inputTokens,
                completionTokens: usage.outputTokens,
              };
              return { ...stream, usage: reported };
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
    baseUrlFor: (url) => `${url}/v1`,
    rejectedKey: { status: 401, names: ['401'] },
    secrets: [API_KEY, 'SECRET'],
    retryAfter: true,
  };
});

describe('OpenAiProvider', () => {
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
});
