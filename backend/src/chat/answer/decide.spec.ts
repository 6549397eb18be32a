/**
 * The decide step on a real index: the kayak evaluation site's pages, extracted and indexed as a
 * crawl does, in an embedded store; passages found by the hybrid retriever (keyword side).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { indexEvalSite } from '../../../test/support/eval-pages';
import { NoEmbeddings } from '../../embeddings/none.embeddings';
import { HybridRetriever } from '../../retrieval/retriever';
import { Analyzer } from '../../text/analyzer';
import { EmbeddedStore } from '../../vector-store/embedded.store';
import { decide } from './decide';

describe('decide (answerable before any model is called)', () => {
  const analyzer = new Analyzer('english');
  let dataDir: string;
  let store: EmbeddedStore;
  let retriever: HybridRetriever;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'lorechat-decide-'));
    store = new EmbeddedStore(dataDir, { k1: 1.2, b: 0.75 });
    await store.init(0);
    await indexEvalSite('kayak', store, analyzer);
    retriever = new HybridRetriever(store, analyzer, new NoEmbeddings(), {
      topK: 5,
      candidates: 50,
      rrfK: 60,
      keywordWeight: 1,
      denseWeight: 1,
      bm25: { k1: 1.2, b: 0.75 },
      language: 'english',
    });
  });
  afterAll(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const decided = async (question: string) =>
    decide(question, await retriever.retrieve(question, { limit: 5 }), analyzer, store);

  it.each([
    'How much does the sunset tour cost?',
    'How much does it cost to rent a tandem kayak for a full day?',
    'Can I bring my dog on a tour?',
    // "Handle" is on no page: a common word is the visitor's wording, not the topic.
    'How do I handle a rental kayak that tips over?',
  ])('answers %j from the passages', async (question) => {
    expect((await decided(question)).answerable).toBe(true);
  });

  it.each([
    ['Do you offer scuba diving certification?', ['scuba']],
    ['Can I pay with Venmo?', ['venmo']],
    ['What is the wifi password?', ['wifi']],
    // A yes/no question asks whether the site says the very thing no page mentions.
    ['Do you offer guided snorkeling trips?', ['snorkel']],
  ])(
    'says the site does not answer %j, naming the terms no page uses',
    async (question, absent) => {
      const decision = await decided(question);
      expect(decision.answerable).toBe(false);
      expect(decision.absentFromSite).toEqual(expect.arrayContaining(absent));
    },
  );

  it('has nothing to answer from when nothing is found', async () => {
    expect((await decide('zebra marmalade', [], analyzer, store)).answerable).toBe(false);
  });
});
