/**
 * The behaviour every VectorStore must have, as one jest suite to run against each implementation:
 *
 *   describeVectorStoreContract('EmbeddedStore', async (dimensions) => { …; return { store, cleanup } });
 *
 * `open` returns a store on a fresh, empty index, already initialised with `dimensions`, and a
 * `cleanup` that removes the index. Chunks are built by hand with their analyzed terms given
 * directly and small made-up embeddings of size 4, so the suite depends on no analyzer and no
 * embedding model.
 */
import { type Chunk, type ChunkInput, type IndexedDocument } from '../src/vector-store/chunk';
import { type VectorStore } from '../src/vector-store/vector-store';

export type OpenStore = (
  dimensions: number,
) => Promise<{ store: VectorStore; cleanup(): Promise<void> }>;

interface ChunkSpec {
  terms: string[];
  embedding?: number[];
  text?: string;
  title?: string;
  headingPath?: string[];
}

const DIMENSIONS = 4;
const FILLER_EMBEDDING = [0, 0, 0, 1];

/**
 * A document whose chunks are the specs in order; ids are `<url>#<position>`. With an embedding
 * provider every chunk has an embedding, so chunks without one in their spec get a filler vector,
 * unless the store runs keyword only (`dimensions` 0).
 */
function page(
  url: string,
  specs: ChunkSpec[],
  contentHash = 'hash-1',
  dimensions = DIMENSIONS,
): IndexedDocument {
  const site = new URL(url).host;
  const title = specs[0]?.title ?? `Title of ${url}`;
  return {
    url,
    site,
    title,
    language: 'en',
    contentHash,
    chunks: specs.map((spec, position): ChunkInput => ({
      id: `${url}#${position}`,
      documentUrl: url,
      site,
      url: `${url}#section-${position}`,
      position,
      title: spec.title ?? title,
      headingPath: spec.headingPath ?? [`Section ${position}`],
      text: spec.text ?? spec.terms.join(' '),
      language: 'en',
      contentHash: `chunk-hash-${spec.terms.join('-')}`,
      terms: spec.terms,
      embedding: dimensions === 0 ? undefined : (spec.embedding ?? FILLER_EMBEDDING),
    })),
  };
}

/** What a search must return for a chunk: its fields without terms and embedding. */
function stored(input: ChunkInput): Omit<Chunk, 'indexVersion'> {
  return {
    id: input.id,
    documentUrl: input.documentUrl,
    site: input.site,
    url: input.url,
    position: input.position,
    title: input.title,
    headingPath: input.headingPath,
    text: input.text,
    language: input.language,
    contentHash: input.contentHash,
  };
}

const ids = (hits: { chunk: Chunk }[]) => hits.map((hit) => hit.chunk.id);

export function describeVectorStoreContract(name: string, open: OpenStore): void {
  describe(`VectorStore contract: ${name}`, () => {
    const cleanups: (() => Promise<void>)[] = [];

    async function openStore(dimensions = DIMENSIONS): Promise<VectorStore> {
      const opened = await open(dimensions);
      cleanups.push(async () => {
        await opened.store.close();
        await opened.cleanup();
      });
      return opened.store;
    }

    afterEach(async () => {
      for (const cleanup of cleanups.splice(0)) await cleanup();
    });

    it('ranks chunks with more matching terms, and rarer ones, first', async () => {
      const store = await openStore();
      const padding = ['page', 'common'];
      await store.upsertDocument(
        page('https://docs.example/widget', [
          { terms: ['widget', 'install', 'script', 'tag', ...padding] },
          { terms: ['widget', 'theme', 'color', 'font', ...padding] },
        ]),
      );
      await store.upsertDocument(
        page('https://docs.example/ops', [
          { terms: ['deploy', 'stack', 'pulumi', 'prod', ...padding] },
          { terms: ['quota', 'limit', 'visitor', 'token', ...padding] },
        ]),
      );

      const both = await store.keywordSearch(['widget', 'install'], { limit: 10 });
      // Only chunks sharing a term with the query come back.
      expect(ids(both)).toEqual(['https://docs.example/widget#0', 'https://docs.example/widget#1']);
      expect(both[0]!.score).toBeGreaterThan(both[1]!.score);
      expect(both[1]!.score).toBeGreaterThan(0);

      // "page" is in every chunk, "quota" in one: the rare term decides.
      const rare = await store.keywordSearch(['page', 'quota'], { limit: 10 });
      expect(rare).toHaveLength(4);
      expect(rare[0]!.chunk.id).toBe('https://docs.example/ops#1');

      // A repeated query term weighs more: "install" twice beats "theme" once, and vice versa.
      const installTwice = await store.keywordSearch(['theme', 'install', 'install'], {
        limit: 10,
      });
      expect(installTwice[0]!.chunk.id).toBe('https://docs.example/widget#0');
      const themeTwice = await store.keywordSearch(['theme', 'theme', 'install'], { limit: 10 });
      expect(themeTwice[0]!.chunk.id).toBe('https://docs.example/widget#1');

      expect(await store.keywordSearch(['page'], { limit: 1 })).toHaveLength(1);
      expect(await store.keywordSearch(['absent'], { limit: 10 })).toEqual([]);
      expect(await store.keywordSearch([], { limit: 10 })).toEqual([]);
    });

    it('returns chunks whole: every field as written, with the index version', async () => {
      const store = await openStore();
      const document = page('https://docs.example/guide', [
        { terms: ['install'], headingPath: ['Guide', 'Install'], text: 'Run npm install.' },
      ]);
      await store.upsertDocument(document);
      const [hit] = await store.keywordSearch(['install'], { limit: 1 });
      expect(hit?.chunk).toEqual({
        ...stored(document.chunks[0]!),
        indexVersion: expect.any(Number),
      });
    });

    it('filters keyword and dense searches by site and by document', async () => {
      const store = await openStore();
      const near = [1, 0, 0, 0];
      await store.upsertDocument(
        page('https://docs.a.example/one', [
          { terms: ['shared', 'one'], embedding: near },
          { terms: ['shared', 'uno'], embedding: near },
        ]),
      );
      await store.upsertDocument(
        page('https://docs.a.example/two', [{ terms: ['shared', 'two'], embedding: near }]),
      );
      await store.upsertDocument(
        page('https://b.example/three', [{ terms: ['shared', 'three'], embedding: near }]),
      );

      const bySite = { limit: 10, filter: { site: 'b.example' } };
      expect(ids(await store.keywordSearch(['shared'], bySite))).toEqual([
        'https://b.example/three#0',
      ]);
      expect(ids(await store.denseSearch(near, bySite))).toEqual(['https://b.example/three#0']);

      const byDocument = { limit: 10, filter: { documentUrl: 'https://docs.a.example/one' } };
      const expected = ['https://docs.a.example/one#0', 'https://docs.a.example/one#1'];
      expect(ids(await store.keywordSearch(['shared'], byDocument)).sort()).toEqual(expected);
      expect(ids(await store.denseSearch(near, byDocument)).sort()).toEqual(expected);

      const sameSite = { limit: 10, filter: { site: 'docs.a.example' } };
      expect(await store.keywordSearch(['shared'], sameSite)).toHaveLength(3);

      const contradictory = {
        limit: 10,
        filter: { site: 'b.example', documentUrl: 'https://docs.a.example/one' },
      };
      expect(await store.keywordSearch(['shared'], contradictory)).toEqual([]);
      expect(await store.denseSearch(near, contradictory)).toEqual([]);
    });

    it('returns the nearest chunks by cosine similarity, not by dot product', async () => {
      const store = await openStore();
      await store.upsertDocument(
        page('https://docs.example/vectors', [
          { terms: ['near'], embedding: [0.9, 0.5, 0.1, 0] },
          { terms: ['mid'], embedding: [1, 0, 0, 0] },
          // The largest dot product with the query, but pointing elsewhere.
          { terms: ['long'], embedding: [0, 30, 30, 0] },
          { terms: ['opposite'], embedding: [-1, -0.5, 0, 0] },
        ]),
      );
      const hits = await store.denseSearch([1, 0.5, 0, 0], { limit: 10 });
      expect(ids(hits)).toEqual([
        'https://docs.example/vectors#0',
        'https://docs.example/vectors#1',
        'https://docs.example/vectors#2',
        'https://docs.example/vectors#3',
      ]);
      expect(hits[0]!.score).toBeCloseTo(0.9944, 3);
      expect(hits[1]!.score).toBeCloseTo(0.8944, 3);
      expect(hits[3]!.score).toBeCloseTo(-1, 3);
      expect(await store.denseSearch([1, 0.5, 0, 0], { limit: 2 })).toHaveLength(2);
    });

    it('replaces a re-upserted document whole: fewer chunks leave no stale ones', async () => {
      const store = await openStore();
      const url = 'https://docs.example/changing';
      await store.upsertDocument(
        page(
          url,
          [0, 1, 2, 3, 4].map((n) => ({ terms: ['old', `old${n}`], embedding: [1, n, 0, 0] })),
          'hash-1',
        ),
      );
      expect(await store.documentHash(url)).toBe('hash-1');

      const next = page(
        url,
        [0, 1].map((n) => ({ terms: ['new', `new${n}`], embedding: [1, n, 0, 0] })),
        'hash-2',
      );
      await store.upsertDocument(next);

      expect(await store.documentHash(url)).toBe('hash-2');
      expect(await store.keywordSearch(['old', 'old2', 'old4'], { limit: 10 })).toEqual([]);
      const fresh = await store.keywordSearch(['new'], { limit: 10 });
      expect(fresh.map((hit) => hit.chunk).sort((a, b) => a.position - b.position)).toEqual(
        next.chunks.map((chunk) => ({ ...stored(chunk), indexVersion: expect.any(Number) })),
      );
      expect(ids(await store.denseSearch([1, 1, 0, 0], { limit: 10 })).sort()).toEqual([
        `${url}#0`,
        `${url}#1`,
      ]);
      expect(await store.stats()).toMatchObject({ documents: 1, chunks: 2 });
    });

    it('writes a batch of documents as each would be written alone, replacing old versions', async () => {
      const store = await openStore();
      const first = 'https://docs.example/batch-1';
      const second = 'https://docs.example/batch-2';
      await store.upsertDocument(page(first, [{ terms: ['stale'] }, { terms: ['stale'] }]));
      const versionBefore = (await store.stats()).indexVersion;

      await store.upsertDocuments([
        page(first, [{ terms: ['fresh', 'one'], embedding: [1, 0, 0, 0] }], 'hash-2'),
        page(second, [
          { terms: ['fresh', 'two'], embedding: [0, 1, 0, 0] },
          { terms: ['two'], embedding: [0, 1, 0, 0] },
        ]),
      ]);

      expect(await store.documentHash(first)).toBe('hash-2');
      expect(await store.documentHash(second)).toBe('hash-1');
      expect(await store.keywordSearch(['stale'], { limit: 10 })).toEqual([]);
      expect(ids(await store.keywordSearch(['fresh'], { limit: 10 })).sort()).toEqual([
        `${first}#0`,
        `${second}#0`,
      ]);
      expect(ids(await store.denseSearch([1, 0, 0, 0], { limit: 1 }))).toEqual([`${first}#0`]);
      const stats = await store.stats();
      expect(stats).toMatchObject({ documents: 2, chunks: 3 });
      expect(stats.indexVersion).toBeGreaterThan(versionBefore);
      await store.upsertDocuments([]);
      expect(await store.stats()).toMatchObject({ documents: 2, chunks: 3 });
    });

    it('deletes every chunk of a document and nothing else', async () => {
      const store = await openStore();
      const gone = 'https://docs.example/gone';
      const kept = 'https://docs.example/kept';
      await store.upsertDocument(
        page(gone, [
          { terms: ['topic', 'gone'], embedding: [1, 0, 0, 0] },
          { terms: ['topic', 'gone'], embedding: [1, 0, 0, 0] },
          { terms: ['topic', 'gone'], embedding: [1, 0, 0, 0] },
        ]),
      );
      await store.upsertDocument(page(kept, [{ terms: ['topic'], embedding: [1, 0, 0, 0] }]));

      await store.deleteDocument(gone);

      expect(await store.documentHash(gone)).toBeUndefined();
      expect(await store.documentHash(kept)).toBe('hash-1');
      expect(ids(await store.keywordSearch(['topic', 'gone'], { limit: 10 }))).toEqual([
        `${kept}#0`,
      ]);
      expect(ids(await store.denseSearch([1, 0, 0, 0], { limit: 10 }))).toEqual([`${kept}#0`]);
      expect(await store.stats()).toMatchObject({ documents: 1, chunks: 1 });
      // Deleting what is not there is not an error.
      await store.deleteDocument('https://docs.example/never-indexed');
    });

    it('lists every indexed page once, by URL, with its title', async () => {
      const store = await openStore();
      expect(await store.documents()).toEqual([]);
      await store.upsertDocument(
        page('https://docs.example/b', [{ terms: ['a'], title: 'Page B' }, { terms: ['b'] }]),
      );
      await store.upsertDocument(
        page('https://docs.example/a', [{ terms: ['c'], title: 'Page A' }]),
      );
      await store.upsertDocument(page('https://docs.example/c', [{ terms: ['d'] }]));
      await store.deleteDocument('https://docs.example/c');
      expect(await store.documents()).toEqual([
        { url: 'https://docs.example/a', title: 'Page A' },
        { url: 'https://docs.example/b', title: 'Page B' },
      ]);
    });

    it('counts documents and chunks, and grows the index version on every write', async () => {
      const store = await openStore();
      const versions: number[] = [];
      const expectStats = async (documents: number, chunks: number) => {
        const stats = await store.stats();
        expect(stats).toMatchObject({ documents, chunks });
        versions.push(stats.indexVersion);
      };

      await expectStats(0, 0);
      await store.upsertDocument(
        page('https://docs.example/a', [{ terms: ['a'] }, { terms: ['b'] }, { terms: ['c'] }]),
      );
      await expectStats(1, 3);
      await store.upsertDocument(page('https://docs.example/b', [{ terms: ['d'] }]));
      await expectStats(2, 4);
      await store.upsertDocument(page('https://docs.example/a', [{ terms: ['e'] }], 'hash-2'));
      await expectStats(2, 2);
      await store.deleteDocument('https://docs.example/b');
      await expectStats(1, 1);

      for (let i = 1; i < versions.length; i += 1) {
        expect(versions[i]).toBeGreaterThan(versions[i - 1]!);
      }
      // A chunk carries the version of the write that stored it.
      const [hit] = await store.keywordSearch(['e'], { limit: 1 });
      expect(hit!.chunk.indexVersion).toBeGreaterThan(versions[2]!);
      expect(hit!.chunk.indexVersion).toBeLessThanOrEqual(versions[3]!);
    });

    it('refuses to open an index with another embedding size, naming both sizes', async () => {
      const store = await openStore(DIMENSIONS);
      await store.upsertDocument(
        page('https://docs.example/a', [{ terms: ['kept'], embedding: [1, 0, 0, 0] }]),
      );

      const error = await store.init(8).then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toMatch(/\b4\b/);
      expect((error as Error).message).toMatch(/\b8\b/);

      // The same size again is fine, and the index was neither dropped nor re-created.
      await store.init(DIMENSIONS);
      expect(await store.stats()).toMatchObject({ documents: 1, chunks: 1 });
      expect(ids(await store.keywordSearch(['kept'], { limit: 10 }))).toEqual([
        'https://docs.example/a#0',
      ]);
    });

    it('does keyword search with no embeddings at all (0 dimensions)', async () => {
      const store = await openStore(0);
      await store.upsertDocument(
        page(
          'https://docs.example/plain',
          [{ terms: ['keyword', 'only'] }, { terms: ['other'] }],
          'hash-1',
          0,
        ),
      );
      expect(ids(await store.keywordSearch(['keyword'], { limit: 10 }))).toEqual([
        'https://docs.example/plain#0',
      ]);
      expect(await store.denseSearch([1, 0, 0, 0], { limit: 10 })).toEqual([]);
      expect(await store.stats()).toMatchObject({ documents: 1, chunks: 2 });
    });

    it('keeps CJK and Arabic terms and text intact', async () => {
      const store = await openStore();
      const japanese = page('https://docs.example/ja', [
        {
          // Overlapping character pairs, as the analyzer indexes unsegmented scripts.
          terms: ['検索', '索エ', 'エン', 'ンジ', 'ジン'],
          title: '検索エンジンの使い方',
          headingPath: ['はじめに', '検索'],
          text: '検索エンジンでサイトを探します。',
        },
      ]);
      const arabic = page('https://docs.example/ar', [
        {
          terms: ['البحث', 'في', 'المستندات'],
          title: 'دليل البحث',
          headingPath: ['مقدمة'],
          text: 'البحث في المستندات سهل.',
        },
      ]);
      await store.upsertDocument(japanese);
      await store.upsertDocument(arabic);

      const [ja] = await store.keywordSearch(['検索', 'ジン'], { limit: 10 });
      expect(ja?.chunk).toEqual({
        ...stored(japanese.chunks[0]!),
        indexVersion: expect.any(Number),
      });
      const [ar] = await store.keywordSearch(['المستندات'], { limit: 10 });
      expect(ar?.chunk).toEqual({ ...stored(arabic.chunks[0]!), indexVersion: expect.any(Number) });
      expect(await store.keywordSearch(['検'], { limit: 10 })).toEqual([]);
    });

    it('answers a 10,000-term query', async () => {
      const store = await openStore();
      await store.upsertDocument(
        page('https://docs.example/long', [{ terms: ['needle', 'hay'] }, { terms: ['hay'] }]),
      );
      const query = Array.from({ length: 9_999 }, (_, i) => `term${i}`);
      query.splice(5_000, 0, 'needle');
      const hits = await store.keywordSearch(query, { limit: 10 });
      expect(ids(hits)).toEqual(['https://docs.example/long#0']);
    });
  });
}
