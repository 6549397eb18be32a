/**
 * The started application answering through its OpenAI provider, pointed at a local HTTP server that
 * speaks OpenAI's real streaming wire protocol (test/fakes/openai-server.ts). The visitor side is a
 * real socket.io-client. These tests prove that a cancel or a disconnect really stops the upstream
 * request, that conversation memory reaches the model, and that provider failures reach the visitor
 * as protocol errors without leaking anything.
 */
import {
  answerRequests,
  type FakeOpenAi,
  startFakeOpenAi,
  withCondense,
} from './fakes/openai-server';
import { ChatClient, type RunningApp, startApp, fakeOpenAiEnv } from './support/app';

const API_KEY = 'sk-test-e2e-secret-key-0123456789';
const slowAnswer = (tokens: number) => ({
  kind: 'stream' as const,
  tokens: Array.from({ length: tokens }, (_, index) => `word${index} `),
  tokenDelayMs: 50,
});

describe('chat over Socket.IO with a streaming model', () => {
  let openAi: FakeOpenAi;
  let running: RunningApp;
  let client: ChatClient;

  beforeAll(async () => {
    openAi = await startFakeOpenAi();
    running = await startApp({
      ...fakeOpenAiEnv(openAi, API_KEY),
      LLM_TIMEOUT_MS: '1000',
      CONVERSATION_MAX_TURNS: '2',
      // These tests repeat questions to script the model differently each time.
      RESPONSE_CACHE_ENABLED: 'false',
    });
  });
  afterAll(async () => {
    await running.stop();
    await openAi.close();
  });
  beforeEach(async () => {
    client = await ChatClient.connect(running.url);
  });
  afterEach(() => client.close());

  it('streams the model tokens in order, then sources and usage', async () => {
    openAi.setScript(
      withCondense({ kind: 'stream', tokens: ['Run ', '`pulumi up -s prod` ', '[1].'] }),
    );
    const answer = await client.askAndWait({ text: 'How do I deploy to production?' });
    expect(answer.tokens).toEqual(['Run ', '`pulumi up -s prod` ', '[1].']);
    expect(answer.sources?.[0]?.url).toBe(
      'http://lorechat.test/docs/deployment.md#deploy-to-production',
    );
    expect(answer.done?.usage).toEqual({ inputTokens: 12, outputTokens: 3 });

    const sent = answerRequests(openAi).at(-1)?.body;
    expect(sent?.model).toBe('gpt-test');
    expect(sent?.messages[0]).toMatchObject({
      role: 'system',
      content: expect.stringMatching(/only the numbered/),
    });
    expect(sent?.messages.at(-1)).toMatchObject({
      role: 'user',
      content: expect.stringMatching(
        /\[1\] Deployment › Deploy to production[\s\S]*pulumi up -s prod[\s\S]*Question: How do I deploy to production\?$/,
      ),
    });
  });

  it('sends the conversation so far with a follow-up, bounded to the latest turns', async () => {
    openAi.setScript(withCondense({ kind: 'stream', tokens: ['ok'] }));
    const first = await client.askAndWait({ text: 'How do I deploy to production?' });
    const { conversationId } = first.accepted;
    await client.askAndWait({ conversationId, text: 'And how do I tear it down?' });
    await client.askAndWait({ conversationId, text: 'Where does the widget go?' });
    const turns = answerRequests(openAi)
      .at(-1)
      ?.body.messages.map((message) => [message.role, message.content]);
    expect(turns).toEqual([
      ['system', expect.any(String)],
      ['user', 'How do I deploy to production?'],
      ['assistant', 'ok'],
      ['user', 'And how do I tear it down?'],
      ['assistant', 'ok'],
      ['user', expect.stringMatching(/Question: Where does the widget go\?$/)],
    ]);
    await client.askAndWait({ conversationId, text: 'Where do I paste the script tag?' });
    const bounded = answerRequests(openAi)
      .at(-1)
      ?.body.messages.map((message) => message.content);
    expect(bounded?.slice(1, 5)).toEqual([
      'And how do I tear it down?',
      'ok',
      'Where does the widget go?',
      'ok',
    ]);
  });

  it('cancel stops generation upstream and ends the answer as cancelled', async () => {
    openAi.setScript(withCondense(slowAnswer(100)));
    const aborted = openAi.abortedRequests;
    const response = await client.ask({ text: 'How do I deploy to production?' });
    if (!response.ok) throw new Error(response.error.message);
    await new Promise<void>((resolve) => client.socket.once('token', () => resolve()));
    client.socket.emit('cancel', { messageId: response.messageId });
    const answer = await client.answerOf(response.messageId);
    expect(answer.done?.cancelled).toBe(true);
    expect(answer.tokens.length).toBeLessThan(100);
    await openAi.waitForAbort(aborted + 1);
  });

  it('a second ask while one is streaming in the conversation is refused; the first completes', async () => {
    openAi.setScript(
      withCondense({ kind: 'stream', tokens: ['a ', 'b ', 'c'], tokenDelayMs: 100 }),
    );
    const first = await client.ask({ text: 'How do I deploy to production?' });
    if (!first.ok) throw new Error(first.error.message);
    const second = await client.ask({
      conversationId: first.conversationId,
      text: 'And to staging?',
    });
    expect(second).toMatchObject({
      ok: false,
      error: { code: 'bad_request', message: /still streaming/ },
    });
    const answer = await client.answerOf(first.messageId);
    expect(answer.text).toBe('a b c');
    expect(answer.done?.cancelled).toBe(false);
  });

  it('a client that disconnects mid-stream stops generation upstream', async () => {
    openAi.setScript(withCondense(slowAnswer(100)));
    const aborted = openAi.abortedRequests;
    const response = await client.ask({ text: 'How do I deploy to production?' });
    expect(response.ok).toBe(true);
    await new Promise<void>((resolve) => client.socket.once('token', () => resolve()));
    client.close();
    await openAi.waitForAbort(aborted + 1);
    // The server still serves others.
    const other = await ChatClient.connect(running.url);
    openAi.setScript(withCondense({ kind: 'stream', tokens: ['still here'] }));
    expect((await other.askAndWait({ text: 'How do I deploy to production?' })).text).toBe(
      'still here',
    );
    other.close();
  });

  it.each([
    [401, 'provider_unavailable', /not available/],
    [429, 'rate_limited', /busy/],
    [500, 'provider_unavailable', /not available/],
  ])('a provider %i becomes %s without leaking details', async (status, code, message) => {
    openAi.setScript(withCondense({ kind: 'error', status }));
    const response = await client.ask({ text: 'How do I deploy to production?' });
    if (!response.ok) throw new Error(response.error.message);
    const answer = await client.answerOf(response.messageId);
    expect(answer.error).toEqual({
      messageId: response.messageId,
      code,
      message: expect.stringMatching(message),
    });
    expect(JSON.stringify(answer)).not.toContain('sk-test');
    expect(
      (await client.askAndWait({ text: 'How do I deploy to production?' })).error,
    ).toBeDefined();
  });

  it('a stream cut off halfway becomes an error after the tokens already sent', async () => {
    openAi.setScript(
      withCondense({
        kind: 'stream',
        tokens: ['one ', 'two ', 'three'],
        tokenDelayMs: 20,
        interrupt: { afterTokens: 2, then: 'cut' },
      }),
    );
    const answer = await client.askAndWait({ text: 'How do I deploy to production?' });
    expect(answer.text).toBe('one two ');
    expect(answer.error).toMatchObject({ code: 'provider_unavailable', message: /cut off/ });
    expect(answer.done).toBeUndefined();
  });

  it('a provider that stalls past LLM_TIMEOUT_MS becomes an error and the request is aborted', async () => {
    openAi.setScript(
      withCondense({
        kind: 'stream',
        tokens: ['one ', 'two'],
        interrupt: { afterTokens: 1, then: 'stall' },
      }),
    );
    const aborted = openAi.abortedRequests;
    const answer = await client.askAndWait({ text: 'How do I deploy to production?' });
    expect(answer.error).toMatchObject({ code: 'provider_unavailable', message: /too long/ });
    await openAi.waitForAbort(aborted + 1);
  });
});
