import { Analyzer } from '../../text/analyzer';
import { pageHash, prepareDocument } from '../indexer';
import { DEFAULT_CHUNKING } from '../markdown-chunker';
import { extractContent } from './content-extractor';
import { PagePool } from './page-pool';
import { type PageTask } from './page-worker';

/** Real worker threads, running the TypeScript sources through the repository's preload. */
const url = 'https://example.com/shipping';
const html = `<html lang="en"><head><title>Shipping</title></head><body>
  <nav><a href="/">Home</a></nav><main><h1>Shipping</h1>
  <p>Parcels leave our warehouse within two working days, by tracked courier.</p>
  <h2>Returns</h2><p>Returns are free for thirty days. <a href="/returns">Returns form</a></p>
  </main></body></html>`;

const task = (overrides: Partial<PageTask> = {}): PageTask => ({
  url,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  body: Buffer.from(html),
  chunk: true,
  language: 'english',
  chunking: DEFAULT_CHUNKING,
  ...overrides,
});

describe('PagePool (worker threads extracting and chunking pages)', () => {
  const pool = new PagePool(2);
  afterAll(() => pool.close());

  it('returns what extraction and chunking on the main thread would', async () => {
    const prepared = await pool.prepare(task());
    const extraction = await extractContent({
      url,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: Buffer.from(html),
    });
    if (prepared.kind !== 'page' || extraction.kind !== 'page') throw new Error('not a page');
    expect(prepared.page).toEqual(extraction.page);
    expect(prepared.hash).toBe(pageHash(extraction.page));
    const { title, language, markdown } = extraction.page;
    expect(prepared.document).toEqual(
      prepareDocument(
        { url, title, language, markdown },
        prepared.hash,
        new Analyzer('english'),
        DEFAULT_CHUNKING,
      ),
    );
    // Cut at the heading (the page's <main> is its content, its H1 included), each chunk with its
    // analyzed terms.
    expect(prepared.document?.chunks.map((chunk) => chunk.headingPath)).toEqual([
      ['Shipping'],
      ['Shipping', 'Returns'],
    ]);
    expect(prepared.document?.chunks[1]?.terms).toEqual(
      expect.arrayContaining(['return', 'free', 'thirti']),
    );
  });

  it('does not chunk what will not be written: known content, noindex, a dry run', async () => {
    const first = await pool.prepare(task());
    if (first.kind !== 'page') throw new Error('not a page');
    const known = await pool.prepare(task({ knownHash: first.hash }));
    expect(known).toMatchObject({ kind: 'page', hash: first.hash });
    expect(known).not.toHaveProperty('document');

    const noindex = await pool.prepare(
      task({ headers: { 'content-type': 'text/html', 'x-robots-tag': 'noindex' } }),
    );
    expect(noindex).toMatchObject({ kind: 'page', page: { noindex: true } });
    expect(noindex).not.toHaveProperty('document');

    const dryRun = await pool.prepare(task({ chunk: false }));
    expect(dryRun).not.toHaveProperty('document');
  });

  it('reports unsupported content with its type, and runs many pages at once', async () => {
    expect(await pool.prepare(task({ headers: { 'content-type': 'image/png' } }))).toEqual({
      kind: 'skip',
      reason: 'content type',
      detail: 'image/png',
    });
    const pages = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        pool.prepare(
          task({ url: `${url}/${index}`, body: Buffer.from(html.replace('two', `${index}`)) }),
        ),
      ),
    );
    expect(new Set(pages.map((page) => (page.kind === 'page' ? page.hash : ''))).size).toBe(20);
  });
});
