import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
