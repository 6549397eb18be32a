import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CrawlManifest,
  manifestFile,
  type ManifestEntry,
  SEPARATE_MANIFEST_FILE,
} from './crawl-manifest';
import { INDEX_FILE } from '../../vector-store/embedded.store';

const page: ManifestEntry = {
  url: 'https://example.com/a',
  etag: '"v1"',
  lastModified: 'Wed, 01 Jan 2025 00:00:00 GMT',
  contentHash: 'abc',
  chunkCount: 3,
  links: ['https://example.com/b'],
  lastSeen: '2026-01-01T00:00:00.000Z',
  outcome: 'indexed',
};

describe('CrawlManifest', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'lorechat-manifest-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('lives in index.sqlite for the embedded store and in a file of its own for Qdrant', () => {
    expect(manifestFile(dataDir, 'embedded')).toBe(join(dataDir, INDEX_FILE));
    expect(manifestFile(dataDir, 'qdrant')).toBe(join(dataDir, SEPARATE_MANIFEST_FILE));
  });

  it('stores, replaces, lists and deletes entries, and keeps them across reopening', () => {
    const file = manifestFile(join(dataDir, 'created-on-open'), 'qdrant');
    const manifest = new CrawlManifest(file);
    const bare: ManifestEntry = {
      url: 'https://example.com/0',
      links: [],
      lastSeen: page.lastSeen,
      outcome: 'skipped',
    };
    manifest.put(page);
    manifest.put(bare);
    expect(manifest.get(bare.url)).toEqual(bare);
    manifest.put({ ...page, etag: '"v2"', outcome: 'unchanged' });
    expect(manifest.get(page.url)).toEqual({ ...page, etag: '"v2"', outcome: 'unchanged' });
    expect(manifest.urls()).toEqual([bare.url, page.url]);
    manifest.delete(bare.url);
    expect(manifest.get(bare.url)).toBeUndefined();
    manifest.close();
    manifest.close();

    const reopened = new CrawlManifest(file);
    expect(reopened.urls()).toEqual([page.url]);
    expect(reopened.get(page.url)?.links).toEqual(page.links);
    reopened.close();
  });
});
