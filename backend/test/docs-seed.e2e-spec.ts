/**
 * The docs seed on start, against the real embedded store in a data directory that outlives the
 * app: a seed interrupted after its first page, as a kill mid-start leaves it (each page is written
 * in one transaction), and an index of a crawled site.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUNDLED_DOCS_ORIGIN, DOCS_ROUTE } from '../src/common/bundled-docs';
import { loadConfig } from '../src/config/app-config';
import { createEmbeddingProvider } from '../src/embeddings/embeddings.module';
import { Indexer } from '../src/ingest/indexer';
import { Analyzer } from '../src/text/analyzer';
import { openVectorStore } from '../src/vector-store/vector-store.module';
import { FIXTURE_DOCS, startApp } from './support/app';

const PUBLIC_URL = 'http://lorechat.test';

/** Writes pages into the data directory's index as an earlier run of the app would have. */
async function indexPages(dataDir: string, pages: { url: string; markdown: string }[]) {
  const config = loadConfig({ LORECHAT_DATA_DIR: dataDir, PUBLIC_URL });
  const embeddings = createEmbeddingProvider(config);
  const store = await openVectorStore(config, embeddings.dimensions);
  try {
    const indexer = new Indexer(store, new Analyzer(config.retrieval.language), embeddings);
    for (const page of pages) await indexer.index({ ...page, title: 'Page' });
  } finally {
    await store.close();
  }
}

async function documentsAfterStart(dataDir: string): Promise<number> {
  const running = await startApp({ LORECHAT_DATA_DIR: dataDir, PUBLIC_URL });
  try {
    const health = (await (await fetch(`${running.url}/health`)).json()) as {
      dependencies: { index: { documents: number } };
    };
    return health.dependencies.index.documents;
  } finally {
    await running.app.close();
  }
}

describe('the docs seed on start (embedded store in a kept data directory)', () => {
  const dataDirs: string[] = [];
  const dataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'lorechat-seed-'));
    dataDirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  // Regression (issue 19, finding 6): a seed killed midway left its first pages, and the next
  // start, seeing a non-empty index, never indexed the rest.
  it('completes a seed that was interrupted after its first page', async () => {
    const dir = dataDir();
    const first = 'deployment.md';
    await indexPages(dir, [
      {
        // Where the seeder indexes the bundled docs, whatever PUBLIC_URL they are cited under.
        url: `${BUNDLED_DOCS_ORIGIN}${DOCS_ROUTE}/${first}`,
        markdown: readFileSync(join(FIXTURE_DOCS, first), 'utf8'),
      },
    ]);
    expect(await documentsAfterStart(dir)).toBe(2);
  });

  it("leaves an index of a crawled site alone: LoreChat's docs never join it", async () => {
    const dir = dataDir();
    await indexPages(dir, [
      { url: 'https://shop.example/returns', markdown: 'Returns are free for thirty days.' },
    ]);
    expect(await documentsAfterStart(dir)).toBe(1);
  });
});
