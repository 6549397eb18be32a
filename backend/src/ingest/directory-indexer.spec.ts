import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedStore } from '../vector-store/embedded.store';
import { indexDirectory } from './directory-indexer';

describe('indexDirectory', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'lorechat-docs-'));
    mkdirSync(join(root, 'docs', 'guides'), { recursive: true });
    writeFileSync(join(root, 'docs', 'quick start.md'), '# Quick start\n\n## Run it\n\nnpm start');
    writeFileSync(join(root, 'docs', 'guides', 'notes.txt'), 'Plain text notes about backups.');
    writeFileSync(join(root, 'docs', 'logo.png'), 'binary');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('indexes Markdown and text files as pages under the base URL, then skips unchanged ones', async () => {
    const store = new EmbeddedStore(join(root, 'data'));
    const first = await indexDirectory(store, join(root, 'docs'), 'http://localhost:3000/docs');
    expect(first.indexed).toEqual([
      'http://localhost:3000/docs/guides/notes.txt',
      'http://localhost:3000/docs/quick%20start.md',
    ]);
    const [hit] = await store.keywordSearch('run', 1);
    expect(hit?.chunk).toMatchObject({
      title: 'Quick start',
      url: 'http://localhost:3000/docs/quick%20start.md#run-it',
    });
    expect((await store.keywordSearch('backups', 1))[0]?.chunk.title).toBe('notes');

    const second = await indexDirectory(store, join(root, 'docs'), 'http://localhost:3000/docs');
    expect(second).toEqual({ indexed: [], unchanged: first.indexed });
  });
});
