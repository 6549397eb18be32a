import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import Database from 'better-sqlite3';
import { load as loadSqliteVec } from 'sqlite-vec';
import { describeVectorStoreContract } from '../../test/vector-store.contract';
import { type ChunkInput, type IndexedDocument } from './chunk';
import { EmbeddedStore, INDEX_FILE } from './embedded.store';

const BM25 = { k1: 1.2, b: 0.75 };

function page(url: string, texts: string[], contentHash = 'v1'): IndexedDocument {
  const chunks: ChunkInput[] = texts.map((text, position) => ({
    id: `${url}:${position}`,
    documentUrl: url,
    site: new URL(url).host,
    url: `${url}#${position}`,
    position,
    title: 'T',
    headingPath: [],
    text,
    language: 'en',
    contentHash: `${text}-hash`,
    terms: text.split(' '),
  }));
  return { url, site: new URL(url).host, title: 'T', language: 'en', contentHash, chunks };
}

/**
 * An index as LoreChat's schema 1 wrote it (one row per posting in `postings`): its tables and
 * rows exactly, written with SQL here because that version's code is gone from the tree.
 */
function writeSchema1Index(dataDir: string, documents: IndexedDocument[], dimensions: number) {
  const db = new Database(join(dataDir, INDEX_FILE));
  db.pragma('journal_mode = WAL');
  loadSqliteVec(db);
  db.exec(`
    CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID;
    CREATE TABLE documents (
      url TEXT PRIMARY KEY, site TEXT NOT NULL, title TEXT NOT NULL, language TEXT NOT NULL,
      content_hash TEXT NOT NULL, index_version INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE chunks (
      rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
      document_url TEXT NOT NULL REFERENCES documents(url) ON DELETE CASCADE,
      site TEXT NOT NULL, url TEXT NOT NULL, position INTEGER NOT NULL, title TEXT NOT NULL,
      heading_path TEXT NOT NULL, text TEXT NOT NULL, language TEXT NOT NULL,
      content_hash TEXT NOT NULL, index_version INTEGER NOT NULL, length INTEGER NOT NULL
    );
    CREATE INDEX chunks_by_document ON chunks(document_url);
    CREATE INDEX chunks_by_site ON chunks(site);
    CREATE TABLE postings (
      term TEXT NOT NULL, chunk INTEGER NOT NULL, frequency INTEGER NOT NULL,
      length INTEGER NOT NULL, PRIMARY KEY (term, chunk)
    ) WITHOUT ROWID;
    CREATE INDEX postings_by_chunk ON postings(chunk);
    CREATE VIRTUAL TABLE chunk_vectors USING vec0(
      chunk INTEGER PRIMARY KEY, embedding float[${dimensions}] distance_metric=cosine,
      site TEXT, document_url TEXT);
  `);
  const setMeta = db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)');
  let chunkCount = 0;
  let totalLength = 0;
  documents.forEach((document, index) => {
    db.prepare('INSERT INTO documents VALUES (?, ?, ?, ?, ?, ?)').run(
      document.url,
      document.site,
      document.title,
      document.language,
      document.contentHash,
      index + 1,
    );
    for (const chunk of document.chunks) {
      const { lastInsertRowid } = db
        .prepare(
          `INSERT INTO chunks (id, document_url, site, url, position, title, heading_path, text,
             language, content_hash, index_version, length) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          chunk.id,
          document.url,
          chunk.site,
          chunk.url,
          chunk.position,
          chunk.title,
          JSON.stringify(chunk.headingPath),
          chunk.text,
          chunk.language,
          chunk.contentHash,
          index + 1,
          chunk.terms.length,
        );
      const counts = new Map<string, number>();
      for (const term of chunk.terms) counts.set(term, (counts.get(term) ?? 0) + 1);
      for (const [term, frequency] of counts) {
        db.prepare('INSERT INTO postings VALUES (?, ?, ?, ?)').run(
          term,
          lastInsertRowid,
          frequency,
          chunk.terms.length,
        );
      }
      db.prepare('INSERT INTO chunk_vectors VALUES (?, ?, ?, ?)').run(
        BigInt(lastInsertRowid),
        new Float32Array(chunk.embedding!),
        chunk.site,
        document.url,
      );
      chunkCount += 1;
      totalLength += chunk.terms.length;
    }
  });
  setMeta.run('schema_version', 1);
  setMeta.run('dimensions', dimensions);
  setMeta.run('index_version', documents.length);
  setMeta.run('chunk_count', chunkCount);
  setMeta.run('total_length', totalLength);
  db.close();
}

describeVectorStoreContract('EmbeddedStore (SQLite file)', async (dimensions) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lorechat-contract-'));
  const store = new EmbeddedStore(dataDir, BM25);
  await store.init(dimensions);
  return {
    store,
    cleanup: async () => {
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
});

describe('EmbeddedStore (SQLite file)', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'lorechat-embedded-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps the index across restarts', async () => {
    const first = new EmbeddedStore(dataDir, BM25);
    await first.init(0);
    await first.upsertDocument(page('https://a.example/p', ['alpha beta', 'gamma']));
    await first.close();
    const reopened = new EmbeddedStore(dataDir, BM25);
    await reopened.init(0);
    expect(await reopened.stats()).toEqual({ documents: 1, chunks: 2, indexVersion: 1 });
    const [hit] = await reopened.keywordSearch(['gamma'], { limit: 5 });
    expect(hit?.chunk).toMatchObject({ text: 'gamma', position: 1, indexVersion: 1 });
    await reopened.close();
  });

  it('ranks with the configured BM25 parameters', async () => {
    const long = 'apple apple x1 x2 x3 x4 x5 x6 x7 x8 x9 x10';
    const short = 'apple cherry';
    const texts = [long, short];
    const scores = async (b: number) => {
      const dir = mkdtempSync(join(tmpdir(), 'lorechat-bm25-'));
      const store = new EmbeddedStore(dir, { k1: 1.2, b });
      await store.init(0);
      await store.upsertDocument(page('https://a.example/p', texts));
      await store.upsertDocument(page('https://a.example/q', ['unrelated words here']));
      const hits = await store.keywordSearch(['apple'], { limit: 5 });
      await store.close();
      rmSync(dir, { recursive: true, force: true });
      return hits.map((hit) => hit.chunk.text);
    };
    // Without length normalisation the chunk saying "apple" twice wins; normalising fully for
    // length, the short chunk that is all about apples wins.
    expect(await scores(0)).toEqual([long, short]);
    expect(await scores(1)).toEqual([short, long]);
  });

  it('names the fix when the embedding size changes between runs', async () => {
    const store = new EmbeddedStore(dataDir, BM25);
    await store.init(4);
    await store.close();
    const again = new EmbeddedStore(dataDir, BM25);
    await expect(again.init(8)).rejects.toThrow(
      /holds 4-dimensional embeddings, but the configured embeddings produce 8-dimensional embeddings.*LORECHAT_DATA_DIR/s,
    );
    await expect(again.init(0)).rejects.toThrow(/produce no embeddings \(keyword only\)/);
    await again.close();
  });

  it('explains a corrupt index file instead of crashing obscurely', () => {
    writeFileSync(join(dataDir, INDEX_FILE), 'this is not a database'.repeat(100));
    expect(() => {
      const store = new EmbeddedStore(dataDir, BM25);
      return store.init(0);
    }).toThrow(/Cannot open the index at .*index\.sqlite.*move it away and re-ingest/s);
  });

  it('creates a missing data directory', async () => {
    const store = new EmbeddedStore(join(dataDir, 'nested', 'deeper'), BM25);
    await store.init(0);
    expect(await store.stats()).toEqual({ documents: 0, chunks: 0, indexVersion: 0 });
    await store.close();
  });

  it('opens an index written by schema 1, migrating it in place and saying so', async () => {
    const withVectors = (document: IndexedDocument, seed: number): IndexedDocument => ({
      ...document,
      chunks: document.chunks.map((chunk, index) => ({
        ...chunk,
        embedding: [seed, index + 1, 1, 0],
      })),
    });
    const documents = [
      withVectors(page('https://a.example/one', ['alpha beta beta', 'gamma delta']), 1),
      withVectors(page('https://a.example/two', ['beta gamma', 'alpha alpha x y z']), 2),
      withVectors(page('https://b.example/three', ['delta epsilon beta']), 3),
    ];
    writeSchema1Index(dataDir, documents, 4);
    const freshDir = mkdtempSync(join(tmpdir(), 'lorechat-fresh-'));
    const fresh = new EmbeddedStore(freshDir, BM25);
    await fresh.init(4);
    for (const document of documents) await fresh.upsertDocument(document);

    const logged = jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
    try {
      const migrated = new EmbeddedStore(dataDir, BM25);
      await migrated.init(4);
      const lines = logged.mock.calls.map(([message]) => String(message));
      expect(lines).toEqual([
        expect.stringMatching(/^Migrating the index at .*index\.sqlite from schema 1 to 2/),
        expect.stringMatching(
          /^Migrated the index at .*index\.sqlite to schema 2: 5 chunks, 8 terms/,
        ),
      ]);
      expect(await migrated.stats()).toEqual({ documents: 3, chunks: 5, indexVersion: 3 });
      const ranked = async (store: EmbeddedStore, terms: string[]) =>
        (await store.keywordSearch(terms, { limit: 10 })).map((hit) => [hit.chunk.id, hit.score]);
      for (const query of [['beta'], ['alpha', 'gamma'], ['delta', 'beta', 'beta'], ['zeta']]) {
        expect(await ranked(migrated, query)).toEqual(await ranked(fresh, query));
      }
      const [nearest] = await migrated.denseSearch([3, 1, 1, 0], { limit: 1 });
      expect(nearest?.chunk.id).toBe('https://b.example/three:0');
      expect(await migrated.documentHash('https://a.example/two')).toBe('v1');

      // Pages written before the migration are replaced and deleted like any other.
      await migrated.upsertDocument(withVectors(page('https://a.example/one', ['omega'], 'v2'), 1));
      await migrated.deleteDocument('https://a.example/two');
      expect(await ranked(migrated, ['alpha', 'beta'])).toEqual([
        ['https://b.example/three:0', expect.any(Number)],
      ]);
      expect((await migrated.keywordSearch(['omega'], { limit: 5 }))[0]?.chunk.text).toBe('omega');
      await migrated.close();

      logged.mockClear();
      const reopened = new EmbeddedStore(dataDir, BM25);
      await reopened.init(4);
      expect(logged).not.toHaveBeenCalled();
      expect(await reopened.stats()).toEqual({ documents: 2, chunks: 2, indexVersion: 5 });
      await reopened.close();
    } finally {
      logged.mockRestore();
      await fresh.close();
      rmSync(freshDir, { recursive: true, force: true });
    }
  });

  it('refuses an index from a newer LoreChat, naming the fix', async () => {
    const db = new Database(join(dataDir, INDEX_FILE));
    db.exec('CREATE TABLE meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID');
    db.prepare("INSERT INTO meta VALUES ('schema_version', 9)").run();
    db.close();
    const store = new EmbeddedStore(dataDir, BM25);
    await expect(store.init(0)).rejects.toThrow(
      /has schema 9, this LoreChat writes 2: move the file away and re-ingest/,
    );
    await store.close();
  });

  it('a process killed in the middle of writing a page leaves no half-written page', async () => {
    const store = new EmbeddedStore(dataDir, BM25);
    await store.init(0);
    await store.upsertDocument(page('https://a.example/kept', ['kept page']));
    await store.close();

    // A real child process writes a 200,000-chunk page and is killed with SIGKILL mid-transaction.
    const script = `
      const { EmbeddedStore } = require(${JSON.stringify(join(__dirname, 'embedded.store.ts'))});
      const store = new EmbeddedStore(${JSON.stringify(dataDir)}, { k1: 1.2, b: 0.75 });
      store.init(0).then(() => {
        const chunks = Array.from({ length: 200000 }, (_, position) => ({
          id: 'big:' + position, documentUrl: 'https://a.example/big', site: 'a.example',
          url: 'https://a.example/big', position, title: 'Big', headingPath: [],
          text: 'word ' + position, language: 'en', contentHash: 'h' + position,
          terms: ['word', 'w' + position],
        }));
        process.stdout.write('writing\\n');
        return store.upsertDocument({ url: 'https://a.example/big', site: 'a.example', title: 'Big',
          language: 'en', contentHash: 'big', chunks });
      }).then(() => process.stdout.write('finished\\n'));
    `;
    const child = spawn(
      process.execPath,
      ['-r', join(__dirname, '..', '..', '..', 'scripts', 'register-typescript.js'), '-e', script],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    await new Promise<void>((resolve) => {
      child.stdout.on('data', (data: Buffer) => {
        output += data.toString();
        if (output.includes('writing')) setTimeout(() => child.kill('SIGKILL'), 300);
      });
      child.on('exit', () => resolve());
    });
    expect(output).not.toContain('finished');

    const reopened = new EmbeddedStore(dataDir, BM25);
    await reopened.init(0);
    expect(await reopened.stats()).toEqual({ documents: 1, chunks: 1, indexVersion: 1 });
    expect(await reopened.documentHash('https://a.example/big')).toBeUndefined();
    expect((await reopened.keywordSearch(['kept'], { limit: 1 }))[0]?.chunk.text).toBe('kept page');
    await reopened.close();
  });
});
