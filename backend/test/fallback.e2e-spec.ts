/**
 * Provider 500 → fallback, end to end: the real OpenAI provider talks HTTP to the fake OpenAI
 * server (test/fakes/openai-server.ts), which answers 500; LLM_FALLBACK=extractive answers instead,
 * so the visitor still gets an answer with its sources.
 */
import { type FakeOpenAi, startFakeOpenAi } from './fakes/openai-server';
import { ChatClient, type RunningApp, startApp } from './support/app';

describe('provider fallback', () => {
  let openAi: FakeOpenAi;
  let running: RunningApp;
  let client: ChatClient;

  beforeAll(async () => {
    openAi = await startFakeOpenAi({ kind: 'error', status: 500 });
    running = await startApp({
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: openAi.baseUrl,
      OPENAI_API_KEY: 'sk-test-e2e-secret-key-0123456789',
      LLM_FALLBACK: 'extractive',
      LLM_MAX_RETRIES: '0',
    });
    client = await ChatClient.connect(running.url);
  });
  afterAll(async () => {
    client.close();
    await running.stop();
    await openAi.close();
  });

  it('answers from the fallback when the primary returns 500 before its first token', async () => {
    const answer = await client.askAndWait({ text: 'How do I deploy to production?' });
    expect(openAi.requests.length).toBe(1);
    expect(answer.error).toBeUndefined();
    expect(answer.text).toMatch(/pulumi up -s prod/);
    expect(answer.sources?.[0]?.url).toBe(
      'http://lorechat.test/docs/deployment.md#deploy-to-production',
    );
    expect(answer.done).toBeDefined();
  });
});
