import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type IndexedDocument } from './chunk';
import { EmbeddedStore } from './embedded.store';

function page(url: string, sections: Record<string, string>, contentHash = 'h1'): IndexedDocument {
  return {
    url,
    title: url,
    contentHash,
    chunks: Object.entries(sections).map(([heading, text], position) => ({
      id: `${url}#${position}`,
      url: `${url}#${heading}`,
      title: url,
      headingPath: [heading],
      text,
    })),
  };
}

describe('EmbeddedStore', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'lorechat-store-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('finds the section that answers a question, by its heading and its text', async () => {
    const store = new EmbeddedStore(dataDir);
    await store.upsertDocument(
      page('https://docs.example/deploy', {
        'Deploy to production': 'Run pulumi up with the prod stack.',
        'Tear down': 'Run pulumi destroy to remove every resource.',
      }),
    );
    await store.upsertDocument(
      page('https://docs.example/widget', { 'Add the widget': 'Paste the script tag.' }),
    );
    const hits = await store.keywordSearch('how do I deploy to production?', 3);
    expect(hits[0]?.chunk.url).toBe('https://docs.example/deploy#Deploy to production');
    expect(hits.map((hit) => hit.chunk.url)).not.toContain(
      'https://docs.example/widget#Add the widget',
    );
  });

  it('replaces a re-indexed document whole, never counting old chunks', async () => {
    const store = new EmbeddedStore(dataDir);
    await store.upsertDocument(page('https://a.example/', { one: 'alpha', two: 'beta' }));
    await store.upsertDocument(page('https://a.example/', { one: 'gamma' }, 'h2'));
    expect(await store.stats()).toEqual({ documents: 1, chunks: 1 });
    expect(await store.keywordSearch('alpha beta', 5)).toEqual([]);
    expect(await store.documentHash('https://a.example/')).toBe('h2');
    await store.deleteDocument('https://a.example/');
    expect(await store.stats()).toEqual({ documents: 0, chunks: 0 });
  });

  it('survives a restart and leaves no temporary files behind', async () => {
    const first = new EmbeddedStore(dataDir);
    await first.upsertDocument(page('https://a.example/', { setup: 'install with npm' }));
    const reopened = new EmbeddedStore(dataDir);
    expect(await reopened.stats()).toEqual({ documents: 1, chunks: 1 });
    expect((await reopened.keywordSearch('install', 1))[0]?.chunk.text).toBe('install with npm');
    expect(readdirSync(dataDir)).toEqual(['index.json']);
  });
});
