/**
 * The answer pipeline end to end (condense → retrieve → decide → write → check citations), through
 * the started application, its OpenAI provider pointed at a local server that speaks OpenAI's real
 * streaming wire protocol (test/fakes/openai-server.ts), and a real socket.io-client.
 */
import { CONDENSE_RULES } from '../src/chat/answer/condense';
import {
  answerRequests,
  type FakeOpenAi,
  type FakeOpenAiRequest,
  isCondenseRequest,
  startFakeOpenAi,
  withCondense,
} from './fakes/openai-server';
import { logged } from './support/admin';
import { LogCapture } from './support/logs';
import { ChatClient, type RunningApp, startApp } from './support/app';

const lastUserMessage = (request: FakeOpenAiRequest | undefined) => {
  const content = request?.body.messages.at(-1)?.content;
  return typeof content === 'string' ? content : '';
};

describe('the answer pipeline with a model', () => {
  let openAi: FakeOpenAi;
  let running: RunningApp;
  let client: ChatClient;
  const capture = new LogCapture();

  beforeAll(async () => {
    openAi = await startFakeOpenAi();
    running = await startApp(
      {
        LLM_PROVIDER: 'openai',
        LLM_MODEL: 'gpt-test',
        LLM_BASE_URL: openAi.baseUrl,
        OPENAI_API_KEY: 'sk-test-answers',
        LLM_MAX_RETRIES: '0',
        LLM_TIMEOUT_MS: '5000',
        CONDENSE_TIMEOUT_MS: '300',
        RESPONSE_CACHE_ENABLED: 'false',
        LOG_LEVEL: 'log',
      },
      { logDestination: capture },
    );
  });
  afterAll(async () => {
    await running.stop();
    await openAi.close();
  });
  beforeEach(async () => {
    client = await ChatClient.connect(running.url);
  });
  afterEach(() => client.close());

  it('rewrites a follow-up as a standalone question, and searches for that; not a first question', async () => {
    openAi.setScript(withCondense({ kind: 'stream', tokens: ['Run it [1].'] }));
    const before = openAi.requests.length;
    const first = await client.askAndWait({ text: 'How do I deploy to production?' });
    expect(openAi.requests.slice(before).some(isCondenseRequest)).toBe(false);

    const followUp = await client.askAndWait({
      conversationId: first.accepted.conversationId,
      text: 'And how do I remove it?',
    });
    const [condensed, answered] = openAi.requests.slice(-2);
    expect(isCondenseRequest(condensed!)).toBe(true);
    expect(condensed?.body.messages[0]?.content).toBe(CONDENSE_RULES);
    expect(lastUserMessage(condensed)).toMatch(
      /Visitor: How do I deploy to production\?[\s\S]*Visitor: And how do I remove it\?/,
    );
    expect(lastUserMessage(answered)).toContain(
      'The question means: How do I deploy to production? And how do I remove it?',
    );
    expect(followUp.sources?.map((source) => source.url)).toContain(
      'http://lorechat.test/docs/deployment.md#tear-down',
    );
    // The rewrite's tokens are part of what the answer cost.
    expect(followUp.done?.usage.outputTokens).toBeGreaterThan(first.done?.usage.outputTokens ?? 0);
  });

  it('searches a follow-up with its context when the rewrite is too slow', async () => {
    openAi.setScript((request) =>
      isCondenseRequest(request)
        ? { kind: 'stream', tokens: ['too late'], tokenDelayMs: 2000 }
        : { kind: 'stream', tokens: ['Paste it [1].'] },
    );
    const first = await client.askAndWait({ text: 'Where do I add the widget?' });
    const started = Date.now();
    const followUp = await client.askAndWait({
      conversationId: first.accepted.conversationId,
      text: 'Before which tag?',
    });
    expect(Date.now() - started).toBeLessThan(1500);
    expect(followUp.text).toBe('Paste it [1].');
    expect(followUp.sources?.[0]?.url).toBe(
      'http://lorechat.test/docs/widget.md#add-the-widget-to-your-site',
    );
    const logged = await capture.lineWhere(
      (line) => line.msg === 'answer finished' && line.messageId === followUp.accepted.messageId,
    );
    expect(logged).toMatchObject({ followUp: 'context', outcome: 'answered' });
  });

  it('says the site does not say, without calling the model, when the passages miss the topic', async () => {
    openAi.setScript(withCondense({ kind: 'stream', tokens: ['Should not be asked.'] }));
    const before = answerRequests(openAi).length;
    const answer = await client.askAndWait({
      text: 'How much does a scuba course in production cost?',
    });
    expect(answerRequests(openAi).length).toBe(before);
    expect(answer.text).toMatch(/^I couldn't find that on this site/);
    expect(answer.sources).toEqual([]);
    expect(answer.done).toMatchObject({
      outcome: 'not_found',
      usage: { inputTokens: 0, outputTokens: 0 },
    });
  });

  it('drops citation markers that name no provided source, even split across tokens', async () => {
    openAi.setScript(
      withCondense({
        kind: 'stream',
        tokens: ['Preview, then apply [', '7', ']', ' with pulumi [1', '].'],
      }),
    );
    const answer = await client.askAndWait({ text: 'How do I deploy to production?' });
    expect(answer.text).toBe('Preview, then apply  with pulumi [1].');
    expect(answer.done?.outcome).toBe('answered');
    const logged = await capture.lineWhere(
      (line) => line.msg === 'answer finished' && line.messageId === answer.accepted.messageId,
    );
    expect(logged).toMatchObject({
      droppedCitations: 1,
      steps: {
        condenseMs: expect.any(Number),
        retrieveMs: expect.any(Number),
        decideMs: expect.any(Number),
        writeMs: expect.any(Number),
        checkMs: expect.any(Number),
      },
    });
  });

  it('takes a model\'s own "I could not find it" for not_found, citing nothing', async () => {
    openAi.setScript(
      withCondense({
        kind: 'stream',
        tokens: ["I couldn't find ", 'a Friday rule in the deployment guide [1].'],
      }),
    );
    const answer = await client.askAndWait({ text: 'How do I deploy to production on Fridays?' });
    expect(answer.done?.outcome).toBe('not_found');
    expect(answer.sources).toEqual([]);
    // The conversation log keeps the outcome the answer path decided, though the text cites [1].
    const { items } = await logged(
      running.app,
      (store) => store.listConversations({ filter: {}, limit: 100 }),
      (page) => page.items.some((item) => item.conversationId === answer.accepted.conversationId),
    );
    const conversation = items.find(
      (item) => item.conversationId === answer.accepted.conversationId,
    );
    expect(conversation?.turns[0]).toMatchObject({ outcome: 'not_found', sources: [] });
  });

  it('tells the model which language to answer in', async () => {
    openAi.setScript(withCondense({ kind: 'stream', tokens: ['Avec pulumi [1].'] }));
    await client.askAndWait({ text: 'Comment faire le deploy en production ?' });
    expect(lastUserMessage(answerRequests(openAi).at(-1))).toContain('Answer in French.');
  });

  it('prefers the passages of the page the visitor asks from, and tells the model the page', async () => {
    openAi.setScript(withCondense({ kind: 'stream', tokens: ['Before </body> [1].'] }));
    const answer = await client.askAndWait({
      text: 'Where does this go?',
      page: { url: 'http://lorechat.test/docs/widget.md', title: 'Widget' },
    });
    expect(answer.sources?.[0]?.url).toBe(
      'http://lorechat.test/docs/widget.md#add-the-widget-to-your-site',
    );
    expect(lastUserMessage(answerRequests(openAi).at(-1))).toContain(
      'The visitor is on the page "Widget" (http://lorechat.test/docs/widget.md).',
    );
  });

  it('accepts a page sent without a title, and tells the model its address', async () => {
    openAi.setScript(withCondense({ kind: 'stream', tokens: ['Before </body> [1].'] }));
    const answer = await client.askAndWait({
      text: 'Where do I paste it?',
      page: { url: 'http://lorechat.test/docs/widget.md' },
    });
    expect(answer.done?.outcome).toBe('answered');
    expect(answer.sources?.[0]?.url).toBe(
      'http://lorechat.test/docs/widget.md#add-the-widget-to-your-site',
    );
    expect(lastUserMessage(answerRequests(openAi).at(-1))).toContain(
      'The visitor is on the page http://lorechat.test/docs/widget.md.',
    );
  });

  it.each([
    ['a page that is not an http(s) URL', { url: 'javascript:alert(1)', title: 'x' }, /page\.url/],
    [
      'a page URL that is too long',
      { url: `https://a.test/${'a'.repeat(2100)}`, title: 'x' },
      /page\.url/,
    ],
    [
      'a page title that is too long',
      { url: 'https://a.test/', title: 't'.repeat(301) },
      /page\.title/,
    ],
  ])(
    'refuses %s with bad_request, and the connection stays usable',
    async (_case, page, message) => {
      const response = await client.ask({ text: 'How do I deploy?', page });
      expect(response).toMatchObject({ ok: false, error: { code: 'bad_request', message } });
      expect((await client.askAndWait({ text: 'How do I deploy?' })).done).toBeDefined();
    },
  );
});
