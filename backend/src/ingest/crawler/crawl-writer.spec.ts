import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type IndexedDocument } from '../../vector-store/chunk';
import { EmbeddedStore } from '../../vector-store/embedded.store';
import { CrawlManifest, manifestFile, type ManifestEntry } from './crawl-manifest';
import { CrawlWriter } from './crawl-writer';

/** Real SQLite on both sides: the embedded store and the manifest sharing index.sqlite. */
const DIMENSIONS = 2;

function document(url: string, dimensions = DIMENSIONS): IndexedDocument {
  return {
    url,
    site: 'example.com',
    title: url,
    language: 'en',
    contentHash: `hash of ${url}`,
    chunks: [
      {
        id: `${url}#0`,
        documentUrl: url,
        site: 'example.com',
        url,
        position: 0,
        title: url,
        headingPath: [],
        text: 'shipping times',
        language: 'en',
        contentHash: 'chunk',
        terms: ['ship', 'time'],
        embedding: Array.from({ length: dimensions }, () => 1),
      },
    ],
  };
}

const entry = (url: string): ManifestEntry => ({
  url,
  contentHash: `hash of ${url}`,
  links: [],
  lastSeen: '2026-01-01T00:00:00.000Z',
  outcome: 'indexed',
});

describe('CrawlWriter (embedded store and manifest on a real SQLite file)', () => {
  let dataDir: string;
  let store: EmbeddedStore;
  let manifest: CrawlManifest;

  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'lorechat-writer-'));
    store = new EmbeddedStore(dataDir, { k1: 1.2, b: 0.75 });
    await store.init(DIMENSIONS);
    manifest = new CrawlManifest(manifestFile(dataDir, 'embedded'));
  });
  afterEach(async () => {
    manifest.close();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes nothing until a batch is full, then the whole batch with its manifest rows', async () => {
    const writer = new CrawlWriter(store, manifest, {
      maxPages: 3,
      maxChunks: 100,
      maxDelayMs: 60_000,
    });
    const done: string[] = [];
    const add = (url: string, withDocument = true) =>
      writer.add({
        document: withDocument ? document(url) : undefined,
        entry: entry(url),
        done: (error) => done.push(error ? `${url}: ${error.message}` : url),
      });

    await add('https://example.com/a');
    await add('https://example.com/b', false);
    expect(await store.stats()).toMatchObject({ documents: 0 });
    expect(manifest.get('https://example.com/a')).toBeUndefined();
    expect(done).toEqual([]);

    // The page that fills the batch waits for it to be written.
    await add('https://example.com/c');
    expect(await store.stats()).toMatchObject({ documents: 2, chunks: 2 });
    expect(manifest.urls()).toEqual([
      'https://example.com/a',
      'https://example.com/b',
      'https://example.com/c',
    ]);
    expect(done).toEqual([
      'https://example.com/a',
      'https://example.com/b',
      'https://example.com/c',
    ]);
  });

  it('writes a part-filled batch after its delay, and on flush', async () => {
    const writer = new CrawlWriter(store, manifest, {
      maxPages: 100,
      maxChunks: 100,
      maxDelayMs: 20,
    });
    const done: string[] = [];
    await writer.add({
      document: document('https://example.com/late'),
      entry: entry('https://example.com/late'),
      done: () => done.push('late'),
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(done).toEqual(['late']);
    expect(await store.documentHash('https://example.com/late')).toBe(
      'hash of https://example.com/late',
    );

    await writer.add({
      document: document('https://example.com/last'),
      entry: entry('https://example.com/last'),
      done: () => done.push('last'),
    });
    await writer.flush();
    expect(done).toEqual(['late', 'last']);
  });

  it("gives one page's failure to that page alone: the rest of its batch is written", async () => {
    const writer = new CrawlWriter(store, manifest, {
      maxPages: 3,
      maxChunks: 100,
      maxDelayMs: 60_000,
    });
    const outcomes = new Map<string, string>();
    const add = (url: string, dimensions = DIMENSIONS) =>
      writer.add({
        document: document(url, dimensions),
        entry: entry(url),
        done: (error) => outcomes.set(url, error ? error.message : 'written'),
      });
    await add('https://example.com/good-1');
    await add('https://example.com/wrong-size', 3);
    await add('https://example.com/good-2');

    expect(outcomes.get('https://example.com/good-1')).toBe('written');
    expect(outcomes.get('https://example.com/good-2')).toBe('written');
    expect(outcomes.get('https://example.com/wrong-size')).toMatch(/3 embedding dimensions/);
    expect(await store.stats()).toMatchObject({ documents: 2 });
    // No manifest row claims a page the index does not hold.
    expect(manifest.get('https://example.com/wrong-size')).toBeUndefined();
    expect(manifest.urls()).toEqual(['https://example.com/good-1', 'https://example.com/good-2']);
  });
});
