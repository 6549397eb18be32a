/**
 * The response cache in the started application, answering through its OpenAI provider pointed at
 * a local fake: a repeated first question is served without a model request, a follow-up never is,
 * and a change to the index sends the question to the model again.
 */
import { Indexer } from '../src/ingest/indexer';
import {
  answerRequests,
  type FakeOpenAi,
  startFakeOpenAi,
  withCondense,
} from './fakes/openai-server';
import { ChatClient, type RunningApp, startApp, fakeOpenAiEnv } from './support/app';

describe('response cache', () => {
  let openAi: FakeOpenAi;
  let running: RunningApp;
  let client: ChatClient;

  beforeAll(async () => {
    openAi = await startFakeOpenAi();
    running = await startApp({
      ...fakeOpenAiEnv(openAi),
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

  it('answers a repeated first question from the cache, with the same text and sources', async () => {
    openAi.setScript(
      withCondense({ kind: 'stream', tokens: ['Run ', '`pulumi up -s prod` ', '[1].'] }),
    );
    const first = await client.askAndWait({ text: 'How do I deploy to production?' });
    const requests = answerRequests(openAi).length;

    const second = await client.askAndWait({ text: '  how do I deploy to   production ' });
    expect(answerRequests(openAi).length).toBe(requests);
    expect(second.text).toBe(first.text);
    expect(second.tokens.length).toBeGreaterThan(1);
    expect(second.sources).toEqual(first.sources);
    expect(second.done).toMatchObject({
      cancelled: false,
      usage: { inputTokens: 0, outputTokens: 0 },
    });

    // The cached answer is remembered like any other, so a follow-up has its context.
    openAi.setScript(withCondense({ kind: 'stream', tokens: ['Yes.'] }));
    await client.askAndWait({
      conversationId: second.accepted.conversationId,
      text: 'And how do I tear it down?',
    });
    expect(answerRequests(openAi).at(-1)?.body.messages.slice(1, 3)).toEqual([
      { role: 'user', content: 'how do I deploy to   production' },
      { role: 'assistant', content: first.text },
    ]);
  });

  it('never serves a follow-up from the cache', async () => {
    openAi.setScript(withCondense({ kind: 'stream', tokens: ['ok'] }));
    const first = await client.askAndWait({ text: 'How does LoreChat deploy?' });
    const { conversationId } = first.accepted;
    await client.askAndWait({ conversationId, text: 'tell me more' });
    const requests = answerRequests(openAi).length;
    const other = await client.askAndWait({ text: 'Where do I add the widget?' });
    await client.askAndWait({
      conversationId: other.accepted.conversationId,
      text: 'tell me more',
    });
    expect(answerRequests(openAi).length).toBe(requests + 2);
  });

  it('asks the model again once the index has changed', async () => {
    openAi.setScript(withCondense({ kind: 'stream', tokens: ['Old ', 'answer.'] }));
    await client.askAndWait({ text: 'How do I tear down the stack?' });
    const requests = answerRequests(openAi).length;
    await client.askAndWait({ text: 'How do I tear down the stack?' });
    expect(answerRequests(openAi).length).toBe(requests);

    await running.app.get(Indexer).index({
      url: 'http://lorechat.test/docs/rollback.md',
      title: 'Rollback',
      markdown: '# Rollback\n\nTo tear down a stack, run `pulumi destroy` and confirm.',
    });
    openAi.setScript(withCondense({ kind: 'stream', tokens: ['New ', 'answer.'] }));
    const fresh = await client.askAndWait({ text: 'How do I tear down the stack?' });
    expect(answerRequests(openAi).length).toBe(requests + 1);
    expect(fresh.text).toBe('New answer.');
  });
});
