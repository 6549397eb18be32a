/**
 * The behaviour every ConversationLogStore must have, as one jest suite run against each store:
 *
 *   describeConversationLogContract('SqliteConversationLogStore', async () => ({ store, cleanup }));
 *
 * `open` returns a store on a fresh, empty log and a `cleanup` that removes it. Entries are made
 * by hand, as the buffered log would write them.
 */
import { type ConversationLogStore } from '../src/analytics/conversation-log.store';
import { type AnswerEntry, type FeedbackEntry } from '../src/analytics/log-record';

export type OpenLogStore = () => Promise<{ store: ConversationLogStore; cleanup(): Promise<void> }>;

const DAY = 86_400_000;
/** Noon UTC, so "a day earlier" is another UTC day whatever the offsets below. */
const T0 = Date.UTC(2026, 4, 20, 12);

let sequence = 0;

function answer(overrides: Partial<AnswerEntry> = {}): AnswerEntry {
  sequence += 1;
  return {
    messageId: `m-${sequence}`,
    conversationId: 'c-1',
    visitorId: 'v-1',
    siteKey: 'demo',
    askedAt: T0 + sequence,
    question: `Question ${sequence}?`,
    answer: `Answer ${sequence} [1].`,
    sources: [
      { url: 'https://site.test/tours#sunset', title: 'Tours › Sunset', cited: true },
      { url: 'https://site.test/parking', title: 'Parking', cited: false },
    ],
    outcome: 'answered',
    provider: 'openai',
    model: 'gpt-4o-mini',
    inputTokens: 100,
    outputTokens: 20,
    costUsd: 0.001,
    firstTokenMs: 300,
    totalMs: 900,
    cached: false,
    ...overrides,
  };
}

function rating(entry: AnswerEntry, overrides: Partial<FeedbackEntry> = {}): FeedbackEntry {
  return {
    messageId: entry.messageId,
    conversationId: entry.conversationId,
    visitorId: entry.visitorId,
    rating: 'up',
    ratedAt: entry.askedAt + 1000,
    ...overrides,
  };
}

export function describeConversationLogContract(name: string, open: OpenLogStore): void {
  describe(`${name} (ConversationLogStore contract)`, () => {
    let store: ConversationLogStore;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await open());
      await store.init();
    });

    afterEach(async () => {
      await store.close();
      await cleanup();
    });

    it('keeps every field of an answer and its rating, turns oldest first', async () => {
      const first = answer({
        page: { url: 'https://site.test/tours', title: 'Tours' },
        locale: 'fr',
        errorCode: undefined,
      });
      const second = answer({
        outcome: 'error',
        errorCode: 'provider_unavailable',
        costUsd: undefined,
        firstTokenMs: undefined,
        cached: true,
      });
      await store.writeAnswers([second, first]);
      await store.writeFeedback([rating(first, { rating: 'down', comment: 'Wrong price' })]);
      const conversation = await store.conversation('c-1');
      expect(conversation).toMatchObject({
        conversationId: 'c-1',
        visitorId: 'v-1',
        siteKey: 'demo',
        startedAt: first.askedAt,
        lastAt: second.askedAt,
      });
      expect(conversation?.turns).toEqual([
        { ...first, rating: 'down', comment: 'Wrong price', errorCode: undefined },
        { ...second, page: undefined, locale: undefined, rating: undefined, comment: undefined },
      ]);
      expect(await store.conversation('unknown')).toBeUndefined();
    });

    it('stores an answer or a rating written twice once', async () => {
      const entry = answer();
      await store.writeAnswers([entry]);
      await store.writeAnswers([entry]);
      await store.writeFeedback([rating(entry)]);
      await store.writeFeedback([rating(entry)]);
      expect((await store.conversation('c-1'))?.turns).toHaveLength(1);
      expect(await store.citedPages(0)).toEqual([
        { url: 'https://site.test/tours', title: 'Tours', citations: 1 },
      ]);
    });

    it('keeps the latest rating, and the comment a later rating did not repeat', async () => {
      const entry = answer();
      await store.writeAnswers([entry]);
      await store.writeFeedback([rating(entry, { rating: 'down', comment: 'Too vague' })]);
      await store.writeFeedback([rating(entry, { rating: 'up', ratedAt: entry.askedAt + 5000 })]);
      const [turn] = (await store.conversation('c-1'))?.turns ?? [];
      expect(turn).toMatchObject({ rating: 'up', comment: 'Too vague' });
    });

    it('joins a rating written before its answer (another task may write the answer later)', async () => {
      const entry = answer();
      await store.writeFeedback([rating(entry, { rating: 'down' })]);
      await store.writeAnswers([entry]);
      expect((await store.conversation('c-1'))?.turns[0]?.rating).toBe('down');
    });

    it('lists conversations newest first, page after page, each with all its turns', async () => {
      const entries = [];
      for (let index = 0; index < 7; index++) {
        entries.push(
          answer({ conversationId: `c-${index}`, askedAt: T0 + index * 1000 }),
          answer({ conversationId: `c-${index}`, askedAt: T0 + index * 1000 + 1 }),
        );
      }
      // Two conversations whose last answers share a time: the cursor must not lose one.
      entries.push(answer({ conversationId: 'c-tie-a', askedAt: T0 + 3500 }));
      entries.push(answer({ conversationId: 'c-tie-b', askedAt: T0 + 3500 }));
      await store.writeAnswers(entries);
      const seen: string[] = [];
      let next;
      let pages = 0;
      do {
        const page = await store.listConversations({ filter: {}, limit: 3, after: next });
        for (const item of page.items) {
          expect(item.turns.length).toBeGreaterThan(0);
          seen.push(item.conversationId);
        }
        next = page.next;
        pages += 1;
      } while (next && pages < 10);
      expect(seen).toEqual(['c-6', 'c-5', 'c-4', 'c-tie-b', 'c-tie-a', 'c-3', 'c-2', 'c-1', 'c-0']);
      const [newest] = (await store.listConversations({ filter: {}, limit: 1 })).items;
      expect(newest?.turns.map((turn) => turn.askedAt)).toEqual([T0 + 6000, T0 + 6001]);
    });

    it('filters by outcome, rating, page, text and time', async () => {
      const found = answer({
        conversationId: 'c-found',
        question: 'How much is the SUNSET tour?',
        page: { url: 'https://site.test/tours?ref=x' },
      });
      const missing = answer({
        conversationId: 'c-missing',
        outcome: 'not_found',
        question: 'Do you rent kayaks?',
        answer: 'The site does not say.',
        page: { url: 'https://site.test/contact' },
      });
      const literal = answer({ conversationId: 'c-literal', question: 'Is it 100% refundable?' });
      const old = answer({ conversationId: 'c-old', askedAt: T0 - 10 * DAY });
      await store.writeAnswers([found, missing, literal, old]);
      await store.writeFeedback([
        rating(found, { rating: 'up' }),
        rating(missing, { rating: 'down' }),
      ]);
      const ids = async (
        filter: Parameters<ConversationLogStore['listConversations']>[0]['filter'],
      ) =>
        (await store.listConversations({ filter, limit: 50 })).items
          .map((item) => item.conversationId)
          .sort();
      expect(await ids({ outcome: 'not_found' })).toEqual(['c-missing']);
      expect(await ids({ rating: 'up' })).toEqual(['c-found']);
      expect(await ids({ rating: 'none' })).toEqual(['c-literal', 'c-old']);
      expect(await ids({ page: '/TOURS' })).toEqual(['c-found']);
      expect(await ids({ text: 'sunset' })).toEqual(['c-found']);
      expect(await ids({ text: 'SITE DOES NOT' })).toEqual(['c-missing']);
      expect(await ids({ text: '100%' })).toEqual(['c-literal']);
      expect(await ids({ text: '0% refundable' })).toEqual(['c-literal']);
      expect(await ids({ text: '_' })).toEqual([]);
      expect(await ids({ since: T0 - DAY })).toEqual(['c-found', 'c-literal', 'c-missing']);
    });

    it('finds gaps: questions not found or rated down, never answered-and-unrated ones', async () => {
      const notFound = answer({ outcome: 'not_found', question: 'Kayak rental?' });
      const ratedDown = answer({ question: 'Tour price?' });
      const ratedUp = answer({ question: 'Opening hours?' });
      const unrated = answer({ question: 'Parking?' });
      const tooOld = answer({ outcome: 'not_found', askedAt: T0 - 40 * DAY });
      await store.writeAnswers([notFound, ratedDown, ratedUp, unrated, tooOld]);
      await store.writeFeedback([
        rating(ratedDown, { rating: 'down', comment: 'no' }),
        rating(ratedUp, { rating: 'up' }),
      ]);
      const gaps = await store.gapCandidates(T0 - 30 * DAY, 100);
      expect(gaps.map((gap) => gap.question)).toEqual(['Tour price?', 'Kayak rental?']);
      expect(gaps[0]).toMatchObject({ rating: 'down', comment: 'no' });
      expect(await store.gapCandidates(T0 - 30 * DAY, 1)).toHaveLength(1);
    });

    it('counts each UTC day: questions, outcomes, ratings, tokens and cost', async () => {
      const dayBefore = T0 - DAY;
      const entries = [
        answer({ askedAt: dayBefore, inputTokens: 10, outputTokens: 1, costUsd: 0.5 }),
        answer({ askedAt: T0, outcome: 'not_found', costUsd: undefined }),
        answer({ askedAt: T0 + 1, outcome: 'error', inputTokens: 0, outputTokens: 0 }),
        answer({ askedAt: T0 + 2, outcome: 'cancelled', inputTokens: 7, outputTokens: 3 }),
        answer({ askedAt: T0 + 3, inputTokens: 50, outputTokens: 5, costUsd: 0.25 }),
      ];
      await store.writeAnswers(entries);
      await store.writeFeedback([
        rating(entries[0] as AnswerEntry, { rating: 'up' }),
        rating(entries[1] as AnswerEntry, { rating: 'down' }),
        rating(entries[4] as AnswerEntry, { rating: 'up' }),
      ]);
      const counts = await store.dailyCounts(0);
      expect(counts).toHaveLength(2);
      expect(counts[0]).toEqual({
        day: '2026-05-19',
        questions: 1,
        answered: 1,
        notFound: 0,
        errors: 0,
        cancelled: 0,
        ratedUp: 1,
        ratedDown: 0,
        inputTokens: 10,
        outputTokens: 1,
        costUsd: 0.5,
      });
      expect(counts[1]).toMatchObject({
        day: '2026-05-20',
        questions: 4,
        answered: 1,
        notFound: 1,
        errors: 1,
        cancelled: 1,
        ratedUp: 1,
        ratedDown: 1,
        inputTokens: 157,
        outputTokens: 28,
      });
      expect(counts[1]?.costUsd).toBeCloseTo(0.001 * 2 + 0.25, 10);
      expect(await store.dailyCounts(T0 - 60_000)).toHaveLength(1);
    });

    it('lists each first-token time with its day', async () => {
      await store.writeAnswers([
        answer({ askedAt: T0, firstTokenMs: 120.6 }),
        answer({ askedAt: T0 + 1, firstTokenMs: undefined }),
        answer({ askedAt: T0 - DAY, firstTokenMs: 80 }),
      ]);
      const times = await store.firstTokenTimes(0);
      expect(times.sort((left, right) => left.ms - right.ms)).toEqual([
        { day: '2026-05-19', ms: 80 },
        { day: '2026-05-20', ms: 121 },
      ]);
    });

    it('counts cited pages (not sections, not uncited sources), most cited first', async () => {
      const twoSections = [
        { url: 'https://site.test/tours#sunset', title: 'Tours › Sunset', cited: true },
        { url: 'https://site.test/tours#prices', title: 'Tours › Prices', cited: true },
        { url: 'https://site.test/faq', title: 'FAQ', cited: true },
      ];
      await store.writeAnswers([
        answer({ sources: twoSections }),
        answer(),
        answer({
          askedAt: T0 - 5 * DAY,
          sources: [{ url: 'https://site.test/old', title: 'Old', cited: true }],
        }),
      ]);
      expect(await store.citedPages(T0 - DAY)).toEqual([
        { url: 'https://site.test/tours', title: 'Tours', citations: 2 },
        { url: 'https://site.test/faq', title: 'FAQ', citations: 1 },
      ]);
    });

    it('deletes one conversation, or everything of one visitor, with their ratings', async () => {
      const mine = answer({ conversationId: 'c-mine', visitorId: 'v-me' });
      const mineToo = answer({ conversationId: 'c-mine-2', visitorId: 'v-me' });
      const theirs = answer({ conversationId: 'c-theirs', visitorId: 'v-them' });
      await store.writeAnswers([mine, mineToo, theirs]);
      await store.writeFeedback([
        rating(mine, { rating: 'down' }),
        rating(mineToo),
        rating(theirs),
      ]);

      expect(await store.deleteConversation('c-mine')).toBe(1);
      expect(await store.conversation('c-mine')).toBeUndefined();
      expect(await store.gapCandidates(0, 10)).toEqual([]);
      expect(await store.deleteConversation('c-mine')).toBe(0);

      expect(await store.deleteVisitor('v-me')).toBe(1);
      const left = await store.listConversations({ filter: {}, limit: 10 });
      expect(left.items.map((item) => item.conversationId)).toEqual(['c-theirs']);
      expect((await store.dailyCounts(0))[0]).toMatchObject({ questions: 1, ratedUp: 1 });
      expect(await store.citedPages(0)).toEqual([
        { url: 'https://site.test/tours', title: 'Tours', citations: 1 },
      ]);
      // A rating that arrived after the deletion (from a widget still open) goes with the next one.
      await store.writeFeedback([rating(mine, { rating: 'down' })]);
      expect(await store.deleteVisitor('v-me')).toBe(0);
      await store.writeAnswers([mine]);
      expect((await store.conversation('c-mine'))?.turns[0]?.rating).toBeUndefined();
    });

    it('purges everything asked before a time', async () => {
      const old = answer({ askedAt: T0 - 91 * DAY, conversationId: 'c-old' });
      const recent = answer({ askedAt: T0, conversationId: 'c-new' });
      await store.writeAnswers([old, recent]);
      await store.writeFeedback([rating(old, { rating: 'down' }), rating(recent)]);
      expect(await store.purgeBefore(T0 - 90 * DAY)).toBe(1);
      expect(await store.conversation('c-old')).toBeUndefined();
      expect(await store.gapCandidates(0, 10)).toEqual([]);
      expect(await store.citedPages(0)).toEqual([
        { url: 'https://site.test/tours', title: 'Tours', citations: 1 },
      ]);
      expect((await store.conversation('c-new'))?.turns[0]?.rating).toBe('up');
      expect(await store.purgeBefore(T0 - 90 * DAY)).toBe(0);
    });

    it('keeps the last 20 crawl summaries and returns the newest', async () => {
      expect(await store.lastCrawl()).toBeUndefined();
      const crawl = (day: number) => ({
        startedAt: `2026-05-${String(day).padStart(2, '0')}T03:00:00.000Z`,
        finishedAt: `2026-05-${String(day).padStart(2, '0')}T03:05:00.000Z`,
        seconds: 300,
        dryRun: false,
        sites: ['https://site.test'],
        totals: { indexed: day, unchanged: 0, updated: 0, removed: 0, skipped: 1 },
        skippedByReason: { timeout: 1 },
        failures: [{ url: 'https://site.test/slow', reason: 'timeout' }],
      });
      for (const day of [3, 1, 25, 2]) await store.saveCrawl(crawl(day));
      expect(await store.lastCrawl()).toEqual(crawl(25));
      for (let day = 4; day <= 24; day++) await store.saveCrawl(crawl(day));
      expect(await store.lastCrawl()).toEqual(crawl(25));
    });

    it('exports answers of a time range, oldest first, resuming after a cursor', async () => {
      const entries = [0, 1, 2, 3, 4].map((index) => answer({ askedAt: T0 + index * 10 }));
      entries.push(answer({ askedAt: T0 + 20 })); // shares a time with entries[2]
      await store.writeAnswers(entries);
      const all = [];
      let after;
      for (;;) {
        const page = await store.answers(T0, T0 + 40, 2, after);
        all.push(...page);
        const last = page.at(-1);
        if (!last || page.length < 2) break;
        after = { askedAt: last.askedAt, messageId: last.messageId };
      }
      expect(all.map((entry) => entry.askedAt)).toEqual([T0, T0 + 10, T0 + 20, T0 + 20, T0 + 30]);
      expect(new Set(all.map((entry) => entry.messageId)).size).toBe(5);
    });
  });
}
