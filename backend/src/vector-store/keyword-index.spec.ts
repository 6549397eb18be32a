import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type IndexedDocument } from './chunk';
import { EmbeddedStore } from './embedded.store';
import { BLOCK_SIZE } from './keyword-postings';

/**
 * The pruned top-k search against BM25 computed here by brute force over every chunk, on a real
 * SQLite index that pages were written to, rewritten and deleted from (so blocks were split,
 * merged and emptied), for many random queries and result sizes.
 */

const K1 = 1.2;
const B = 0.75;

/** A fixed pseudo-random sequence, so a failure reproduces. */
function randomSource(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

/** Terms drawn with Zipf-like frequencies: a few very common words, a long tail of rare ones. */
function zipfTerm(random: () => number, vocabulary: number): string {
  return `t${Math.floor(vocabulary ** random()) - 1}`;
}

function randomPage(random: () => number, url: string, chunks: number): IndexedDocument {
  const site = new URL(url).host;
  return {
    url,
    site,
    title: url,
    language: 'en',
    contentHash: `${url}-${random()}`,
    chunks: Array.from({ length: chunks }, (_, position) => {
      const terms = Array.from({ length: 3 + Math.floor(random() * 60) }, () =>
        zipfTerm(random, 400),
      );
      return {
        id: `${url}#${position}`,
        documentUrl: url,
        site,
        url: `${url}#${position}`,
        position,
        title: url,
        headingPath: [],
        text: terms.join(' '),
        language: 'en',
        contentHash: `${url}-${position}`,
        terms,
      };
    }),
  };
}

interface Expected {
  id: string;
  score: number;
}

interface Corpus {
  chunks: IndexedDocument['chunks'];
  frequencies: Map<string, number>[];
  chunksWith: Map<string, number>;
  averageLength: number;
}

function corpusOf(pages: Map<string, IndexedDocument>): Corpus {
  const chunks = [...pages.values()].flatMap((page) => page.chunks);
  const frequencies = chunks.map((chunk) => {
    const counts = new Map<string, number>();
    for (const term of chunk.terms) counts.set(term, (counts.get(term) ?? 0) + 1);
    return counts;
  });
  const chunksWith = new Map<string, number>();
  for (const counts of frequencies) {
    for (const term of counts.keys()) chunksWith.set(term, (chunksWith.get(term) ?? 0) + 1);
  }
  const total = chunks.reduce((sum, chunk) => sum + chunk.terms.length, 0);
  return { chunks, frequencies, chunksWith, averageLength: total / chunks.length };
}

/** Exhaustive BM25 (Lucene IDF), summed over the query's distinct terms in first-seen order. */
function bruteForce(corpus: Corpus, query: string[], site?: string): Expected[] {
  const { chunks, frequencies, chunksWith, averageLength } = corpus;
  const repeats = new Map<string, number>();
  for (const term of query) repeats.set(term, (repeats.get(term) ?? 0) + 1);
  const scores: Expected[] = [];
  chunks.forEach((chunk, index) => {
    if (site !== undefined && chunk.site !== site) return;
    let score = 0;
    let matched = false;
    for (const [term, count] of repeats) {
      const tf = frequencies[index]!.get(term) ?? 0;
      if (tf === 0) continue;
      matched = true;
      const df = chunksWith.get(term)!;
      const idf = count * Math.log(1 + (chunks.length - df + 0.5) / (df + 0.5));
      const norm = 1 - B + (B * chunk.terms.length) / averageLength;
      score += (idf * tf * (K1 + 1)) / (tf + K1 * norm);
    }
    if (matched) scores.push({ id: chunk.id, score });
  });
  return scores.sort((left, right) => right.score - left.score);
}

/**
 * The store's hits must be the top `limit` of the exhaustive ranking: the same scores, and the
 * same chunks except that chunks tied at the cut-off score may be any of the tied ones.
 */
function expectTopK(
  hits: { chunk: { id: string }; score: number }[],
  all: Expected[],
  limit: number,
): void {
  const expected = all.slice(0, limit);
  const got = hits.map((hit) => ({ id: hit.chunk.id, score: hit.score }));
  const cutOff = expected.at(-1)?.score ?? 0;
  // Scores to 9 decimals; ids except those tied with the last one kept.
  const shape = (list: Expected[]) => ({
    scores: list.map((entry) => entry.score.toFixed(9)),
    sure: list
      .filter((entry) => Math.abs(entry.score - cutOff) > 1e-9)
      .map((entry) => entry.id)
      .sort(),
  });
  expect(shape(got)).toEqual(shape(expected));
}

describe('keyword index: pruned top-k equals exhaustive BM25', () => {
  let dataDir: string;
  let store: EmbeddedStore;
  const pages = new Map<string, IndexedDocument>();
  const random = randomSource(7);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'lorechat-keyword-'));
    store = new EmbeddedStore(dataDir, { k1: K1, b: B });
    await store.init(0);
    const write = async (page: IndexedDocument) => {
      await store.upsertDocument(page);
      pages.set(page.url, page);
    };
    for (let index = 0; index < 150; index++) {
      const host = index % 3 === 0 ? 'b.example' : 'a.example';
      await write(randomPage(random, `https://${host}/p${index}`, 1 + Math.floor(random() * 8)));
    }
    // Rewrites and deletions: postings leave blocks in the middle of every term's list.
    const written = [...pages.keys()];
    for (let index = 0; index < written.length; index += 2) {
      const url = written[index]!;
      if (index % 4 === 0) {
        await store.deleteDocument(url);
        pages.delete(url);
      } else {
        await write(randomPage(random, url, 1 + Math.floor(random() * 8)));
      }
    }
  });

  afterAll(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('holds terms common enough to span many blocks', () => {
    const common = [...pages.values()]
      .flatMap((page) => page.chunks)
      .filter((chunk) => chunk.terms.includes('t0')).length;
    expect(common).toBeGreaterThan(BLOCK_SIZE * 2);
  });

  it('returns the same ranking for random queries and result sizes', async () => {
    const corpus = corpusOf(pages);
    for (let query = 0; query < 120; query++) {
      const terms = Array.from({ length: 1 + Math.floor(random() * 7) }, () =>
        zipfTerm(random, 500),
      );
      const all = bruteForce(corpus, terms);
      for (const limit of [1, 3, 10, 50, 1000]) {
        expectTopK(await store.keywordSearch(terms, { limit }), all, limit);
      }
    }
  });

  it('ranks only chunks that pass a filter, even when others would fill the top k', async () => {
    const corpus = corpusOf(pages);
    for (let query = 0; query < 30; query++) {
      const terms = Array.from({ length: 2 + Math.floor(random() * 4) }, () =>
        zipfTerm(random, 100),
      );
      const all = bruteForce(corpus, terms, 'b.example');
      expectTopK(
        await store.keywordSearch(terms, { limit: 5, filter: { site: 'b.example' } }),
        all,
        5,
      );
    }
  });

  it('gives the same hits and scores when it scores every posting (the benchmark baseline)', async () => {
    const exhaustive = new EmbeddedStore(
      dataDir,
      { k1: K1, b: B },
      { keywordRanking: 'exhaustive' },
    );
    await exhaustive.init(0);
    try {
      const corpus = corpusOf(pages);
      for (let query = 0; query < 40; query++) {
        const terms = Array.from({ length: 1 + Math.floor(random() * 6) }, () =>
          zipfTerm(random, 300),
        );
        const filter = query % 4 === 0 ? { site: 'b.example' } : undefined;
        for (const limit of [1, 10, 200]) {
          const baseline = await exhaustive.keywordSearch(terms, { limit, filter });
          expectTopK(baseline, bruteForce(corpus, terms, filter?.site), limit);
          const hits = (list: typeof baseline) => list.map((hit) => [hit.chunk.id, hit.score]);
          expect(hits(await store.keywordSearch(terms, { limit, filter }))).toEqual(hits(baseline));
        }
      }
    } finally {
      await exhaustive.close();
    }
  });

  it('keeps ranking correctly after every page is deleted and written again', async () => {
    for (const url of [...pages.keys()]) await store.deleteDocument(url);
    expect(await store.keywordSearch(['t0', 't1'], { limit: 5 })).toEqual([]);
    pages.clear();
    for (let index = 0; index < 40; index++) {
      const page = randomPage(random, `https://a.example/again${index}`, 3);
      await store.upsertDocument(page);
      pages.set(page.url, page);
    }
    const corpus = corpusOf(pages);
    for (let query = 0; query < 30; query++) {
      const terms = [zipfTerm(random, 50), zipfTerm(random, 400)];
      expectTopK(await store.keywordSearch(terms, { limit: 10 }), bruteForce(corpus, terms), 10);
    }
  });

  it('sees what another connection wrote or removed since its last search', async () => {
    const sharedDir = mkdtempSync(join(tmpdir(), 'lorechat-keyword-shared-'));
    const writer = new EmbeddedStore(sharedDir, { k1: K1, b: B });
    const reader = new EmbeddedStore(sharedDir, { k1: K1, b: B });
    await writer.init(0);
    await reader.init(0);
    const shared = new Map<string, IndexedDocument>();
    const write = async (page: IndexedDocument) => {
      await writer.upsertDocument(page);
      shared.set(page.url, page);
    };
    const queries = [['t0'], ['t1', 't5'], ['t0', 't2', 't30']];
    const expectSameAsBruteForce = async () => {
      const corpus = corpusOf(shared);
      for (const terms of queries) {
        expectTopK(await reader.keywordSearch(terms, { limit: 20 }), bruteForce(corpus, terms), 20);
      }
    };
    try {
      for (let index = 0; index < 80; index++) {
        await write(randomPage(random, `https://a.example/s${index}`, 4));
      }
      // The commonest term spans several blocks, so a removal can leave its last block alone.
      expect(corpusOf(shared).chunksWith.get('t0')).toBeGreaterThan(BLOCK_SIZE * 2);
      await expectSameAsBruteForce();
      // Appended postings fill the last blocks the reader has in memory.
      await write(randomPage(random, 'https://a.example/late', 2));
      await expectSameAsBruteForce();
      // A removal in the middle of the postings leaves the last blocks as they were.
      await writer.deleteDocument('https://a.example/s3');
      shared.delete('https://a.example/s3');
      await expectSameAsBruteForce();
      // A page replaced: removal and appends in one write.
      await write(randomPage(random, 'https://a.example/s7', 4));
      await expectSameAsBruteForce();
    } finally {
      await reader.close();
      await writer.close();
      rmSync(sharedDir, { recursive: true, force: true });
    }
  });
});
