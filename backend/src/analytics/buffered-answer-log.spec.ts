import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { DEFAULT_LLM_PRICES } from '../config/model-prices';
import { type FinishedAnswer } from './answer-log';
import { BufferedAnswerLog, DEFAULT_LOG_SETTINGS } from './buffered-answer-log';
import { LOG_FILE, SqliteConversationLogStore } from './sqlite.conversation-log.store';

function finished(overrides: Partial<FinishedAnswer> = {}): FinishedAnswer {
  return {
    conversationId: 'c-1',
    messageId: `m-${Math.random()}`,
    visitorId: 'v-1',
    siteKey: 'demo',
    askedAt: Date.UTC(2026, 4, 20),
    question: 'Mail me at a@b.io: how much is the tour?',
    answer: 'It costs $72 [2].',
    sources: [
      { url: 'https://site.test/a', title: 'A', snippet: '' },
      { url: 'https://site.test/b', title: 'B', snippet: '' },
    ],
    cancelled: false,
    provider: 'openai',
    model: 'gpt-4o-mini',
    usage: { inputTokens: 1_000_000, outputTokens: 1_000_000 },
    firstTokenMs: 200,
    totalMs: 900,
    cached: false,
    ...overrides,
  };
}

describe('BufferedAnswerLog (on a real SQLite log)', () => {
  let dir: string;
  let store: SqliteConversationLogStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lorechat-buffered-'));
    store = new SqliteConversationLogStore(join(dir, LOG_FILE));
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const settings = { ...DEFAULT_LOG_SETTINGS, storePii: false, prices: DEFAULT_LLM_PRICES };

  it('stores nothing until it flushes, then the answer masked, with outcome, citations and cost', async () => {
    const log = new BufferedAnswerLog(store, settings);
    const answer = finished();
    log.answerFinished(answer);
    log.feedbackGiven({
      messageId: answer.messageId,
      conversationId: 'c-1',
      visitorId: 'v-1',
      rating: 'down',
      comment: 'call 555 123 4567',
    });
    expect(log.pending).toBe(2);
    expect(await store.conversation('c-1')).toBeUndefined();
    await log.flush();
    expect(log.pending).toBe(0);
    const [turn] = (await store.conversation('c-1'))?.turns ?? [];
    expect(turn).toMatchObject({
      question: 'Mail me at [email]: how much is the tour?',
      outcome: 'answered',
      sources: [
        { url: 'https://site.test/a', title: 'A', cited: false },
        { url: 'https://site.test/b', title: 'B', cited: true },
      ],
      costUsd: 0.75,
      rating: 'down',
      comment: 'call [phone]',
    });
  });

  it('takes the outcome the answer path reports over its own guess', async () => {
    const log = new BufferedAnswerLog(store, settings);
    log.answerFinished(finished({ outcome: 'not_found', conversationId: 'c-2' }));
    log.answerFinished(
      finished({ errorCode: 'provider_unavailable', answer: '', conversationId: 'c-3' }),
    );
    await log.flush();
    expect((await store.conversation('c-2'))?.turns[0]?.outcome).toBe('not_found');
    expect((await store.conversation('c-3'))?.turns[0]).toMatchObject({
      outcome: 'error',
      errorCode: 'provider_unavailable',
    });
  });

  it('never throws when the store fails, keeps at most maxQueued entries, and warns once', async () => {
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    await store.close(); // every write now fails
    const log = new BufferedAnswerLog(store, { ...settings, maxQueued: 5 });
    for (let index = 0; index < 8; index++) {
      expect(() => log.answerFinished(finished())).not.toThrow();
      await log.flush();
    }
    expect(log.pending).toBe(5);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]?.[0])).toMatch(/cannot be written.*answers go on/);
    warn.mockRestore();
  });
});
