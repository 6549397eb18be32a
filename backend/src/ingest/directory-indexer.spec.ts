import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NoEmbeddings } from '../embeddings/none.embeddings';
import { Analyzer } from '../text/analyzer';
import { EmbeddedStore } from '../vector-store/embedded.store';
import { indexDirectory } from './directory-indexer';
import { Indexer } from './indexer';

describe('indexDirectory', () => {
  let root: string;
  let store: EmbeddedStore;
  let indexer: Indexer;
  const analyzer = new Analyzer('english');

  beforeEach(async () => {
    root = mkdtempSync(join(tmpdir(), 'lorechat-docs-'));
    mkdirSync(join(root, 'docs', 'guides'), { recursive: true });
    writeFileSync(join(root, 'docs', 'quick start.md'), '# Quick start\n\n## Run it\n\nnpm start');
    writeFileSync(join(root, 'docs', 'guides', 'notes.txt'), 'Plain text notes about backups.');
    writeFileSync(join(root, 'docs', 'logo.png'), 'binary');
    store = new EmbeddedStore(join(root, 'data'), { k1: 1.2, b: 0.75 });
    await store.init(0);
    indexer = new Indexer(store, analyzer, new NoEmbeddings());
  });
  afterEach(async () => {
    await store.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('indexes Markdown and text files as pages under the base URL, then skips unchanged ones', async () => {
    const base = 'http://localhost:3000/docs';
    const first = await indexDirectory(indexer, join(root, 'docs'), base);
    expect(first.indexed).toEqual([`${base}/guides/notes.txt`, `${base}/quick%20start.md`]);
    const [hit] = await store.keywordSearch(analyzer.terms('run'), { limit: 1 });
    expect(hit?.chunk).toMatchObject({
      title: 'Quick start',
      documentUrl: `${base}/quick%20start.md`,
      url: `${base}/quick%20start.md#run-it`,
      site: 'localhost:3000',
      language: 'en',
    });
    const [notes] = await store.keywordSearch(analyzer.terms('backup'), { limit: 1 });
    expect(notes?.chunk.title).toBe('notes');

    const second = await indexDirectory(indexer, join(root, 'docs'), base);
    expect(second).toEqual({ indexed: [], unchanged: first.indexed });
  });

  it('re-indexes a changed file in place', async () => {
    const base = 'http://localhost:3000/docs';
    await indexDirectory(indexer, join(root, 'docs'), base);
    writeFileSync(join(root, 'docs', 'guides', 'notes.txt'), 'Notes about restores now.');
    const report = await indexDirectory(indexer, join(root, 'docs'), base);
    expect(report.indexed).toEqual([`${base}/guides/notes.txt`]);
    expect(await store.keywordSearch(analyzer.terms('backups'), { limit: 5 })).toEqual([]);
    expect((await store.stats()).documents).toBe(2);
  });
});
