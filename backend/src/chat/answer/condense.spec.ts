/**
 * The condense step against a real local HTTP server speaking OpenAI's Chat Completions streaming
 * protocol (test/fakes/openai-server.ts), through the real OpenAI provider.
 */
import { type FakeOpenAi, startFakeOpenAi } from '../../../test/fakes/openai-server';
import { type ChatTurn } from '../../llm/llm-provider';
import { OpenAiProvider } from '../../llm/providers/openai.provider';
import { CONDENSE_RULES, condense } from './condense';

const history: ChatTurn[] = [
  { role: 'user', content: 'What is the Sunset Paddle?' },
  { role: 'assistant', content: 'A two-hour evening tour of the bay [1].' },
  { role: 'user', content: 'Where does it leave from?' },
  { role: 'assistant', content: 'From the north dock [1].' },
  { role: 'user', content: 'Do I need experience?' },
  { role: 'assistant', content: 'No, beginners are welcome [2].' },
];

describe('condense (the first step of an answer)', () => {
  let openAi: FakeOpenAi;
  const signal = new AbortController().signal;
  const model = () =>
    new OpenAiProvider({
      provider: 'openai',
      model: 'gpt-4o-mini',
      baseUrl: openAi.baseUrl,
      apiKey: 'sk-test',
      timeoutMs: 5000,
      maxOutputTokens: 256,
      temperature: 0.2,
    });

  beforeEach(async () => {
    openAi = await startFakeOpenAi({
      kind: 'stream',
      tokens: ['How much does ', 'the Sunset Paddle cost?'],
    });
  });
  afterEach(async () => {
    await openAi.close();
  });

  it('searches a first question as it is, calling no model', async () => {
    const condensed = await condense('How much is the Sunset Paddle?', [], {
      llm: model(),
      timeoutMs: 1000,
      signal,
    });
    expect(condensed).toEqual({
      query: 'How much is the Sunset Paddle?',
      context: [],
      method: 'first',
    });
    expect(openAi.requests).toHaveLength(0);
  });

  it('offline, reads a follow-up with the two questions before it', async () => {
    const condensed = await condense('How much is it?', history, { timeoutMs: 1000, signal });
    expect(condensed).toEqual({
      query: 'How much is it?',
      context: ['Where does it leave from?', 'Do I need experience?'],
      method: 'context',
    });
  });

  it("with a model, searches for the model's standalone question, sent the recent turns", async () => {
    const condensed = await condense('How much is it?', history, {
      llm: model(),
      timeoutMs: 2000,
      signal,
    });
    expect(condensed).toMatchObject({
      query: 'How much does the Sunset Paddle cost?',
      context: [],
      method: 'rewritten',
      usage: { inputTokens: expect.any(Number), outputTokens: expect.any(Number) },
    });
    const [sent] = openAi.requests;
    expect(sent?.body.messages[0]).toEqual({ role: 'system', content: CONDENSE_RULES });
    expect(sent?.body.messages[1]?.content).toBe(
      [
        'Visitor: Where does it leave from?',
        'Assistant: From the north dock [1].',
        'Visitor: Do I need experience?',
        'Assistant: No, beginners are welcome [2].',
        'Visitor: How much is it?',
        '',
        'Standalone question:',
      ].join('\n'),
    );
  });

  it('falls back to the context when the model is slower than its deadline', async () => {
    openAi.setScript({ kind: 'stream', tokens: ['How much', ' is it?'], tokenDelayMs: 1500 });
    const started = performance.now();
    const condensed = await condense('How much is it?', history, {
      llm: model(),
      timeoutMs: 300,
      signal,
    });
    expect(condensed.method).toBe('context');
    expect(performance.now() - started).toBeLessThan(1400);
  });

  it('falls back to the context when the model fails or answers instead of rewriting', async () => {
    openAi.setScript({ kind: 'error', status: 500 });
    const failed = await condense('How much is it?', history, {
      llm: model(),
      timeoutMs: 2000,
      signal,
    });
    expect(failed.method).toBe('context');
    openAi.setScript({ kind: 'stream', tokens: ['The Sunset Paddle costs $72. '.repeat(20)] });
    const answered = await condense('How much is it?', history, {
      llm: model(),
      timeoutMs: 2000,
      signal,
    });
    expect(answered.method).toBe('context');
  });
});
