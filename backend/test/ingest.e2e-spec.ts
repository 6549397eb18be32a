/**
 * `lorechat ingest` end to end, against a real local HTTP test site on 127.0.0.1 (hence
 * --allow-private-network): discovery, every bad input the crawler must survive, the report, the
 * chat answering from the crawled pages, and a change-aware re-crawl.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ingest } from '../src/cli';
import { loadConfig } from '../src/config/app-config';
import { createEmbeddingProvider } from '../src/embeddings/embeddings.module';
import { type CrawlReport } from '../src/ingest/crawler/crawl-report';
import { RENDER_UNAVAILABLE } from '../src/ingest/crawler/js-renderer';
import { Analyzer } from '../src/text/analyzer';
import { openVectorStore } from '../src/vector-store/vector-store.module';
import { ChatClient, startApp } from './support/app';

const html = (title: string, body: string, head = '', lang = 'en') =>
  `<!doctype html><html lang="${lang}"><head><title>${title}</title>${head}</head><body>
   <nav><a href="/">Home</a> <a href="/shipping">Shipping</a></nav><main><h1>${title}</h1>${body}</main>
   <footer>Footer text</footer></body></html>`;

function startSite(
  pages: Map<
    string,
    () =>
      | { status?: number; type?: string; body: string | Buffer; headers?: Record<string, string> }
      | 'hang'
      | 'huge'
  >,
): Promise<{ server: Server; url: string }> {
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    const page = pages.get(path);
    if (!page) return void response.writeHead(404).end('not found');
    const answer = page();
    if (answer === 'hang') return; // never answers
    if (answer === 'huge') {
      response.writeHead(200, { 'content-type': 'text/html' });
      const megabyte = Buffer.alloc(1024 * 1024, 'a');
      let sent = 0;
      const push = () => {
        while (sent < 50 && response.write(megabyte)) sent += 1;
        if (sent >= 50) response.end();
        else response.once('drain', push);
      };
      response.on('error', () => undefined);
      return push();
    }
    response.writeHead(answer.status ?? 200, {
      'content-type': answer.type ?? 'text/html; charset=utf-8',
      ...answer.headers,
    });
    response.end(answer.body);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }),
    ),
  );
}

const sink = () => ({ isTTY: false, write: () => true }) as unknown as NodeJS.WriteStream;

describe('lorechat ingest (local HTTP test site on 127.0.0.1)', () => {
  let site: { server: Server; url: string };
  let dataDir: string;
  const pages = new Map<
    string,
    Parameters<typeof startSite>[0] extends Map<string, infer V> ? V : never
  >();
  let shippingText = 'Parcels leave our warehouse within two working days, by tracked courier.';

  const run = async (...extra: string[]) => {
    const env = { LORECHAT_DATA_DIR: dataDir, LOG_LEVEL: 'error' };
    const code = await ingest(
      [
        '--site',
        `${site.url}/`,
        '--delay-ms',
        '0',
        '--timeout-ms',
        '700',
        '--max-bytes',
        '2000000',
        ...extra,
      ],
      env,
      { stdout: sink(), stderr: sink() },
    );
    const report = JSON.parse(
      readFileSync(join(dataDir, 'crawl-report.json'), 'utf8'),
    ) as CrawlReport;
    return {
      code,
      report,
      outcome: (path: string) => report.pages.find((page) => page.url === `${site.url}${path}`),
    };
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'lorechat-ingest-'));
    pages.set('/robots.txt', () => ({
      type: 'text/plain',
      body: 'User-agent: *\nDisallow: /private/\n',
    }));
    pages.set('/sitemap.xml', () => ({ body: '<html>this is not a sitemap', type: 'text/html' }));
    pages.set('/', () => ({
      body: html(
        'Welcome',
        `<p>Welcome to the Example shop.</p>
        <a href="/shipping?utm_source=news#top">Ship</a> <a href="/returns">Returns</a> <a href="/private/admin">Admin</a>
        <a href="/loop">Loop</a> <a href="/slow">Slow</a> <a href="/huge">Huge</a> <a href="/de">Deutsch</a>
        <a href="/manual.pdf">Manual</a> <a href="/broken.pdf">Broken</a> <a href="/copy">Copy</a> <a href="/alias">Alias</a>
        <a href="http://169.254.169.254/latest/meta-data/">Metadata</a> <a href="/image.png">Image</a> <a href="/hidden">Hidden</a>`,
      ),
    }));
    pages.set('/shipping', () => ({
      body: html('Shipping', `<p>${shippingText}</p>`),
      headers: { etag: `"${shippingText.length}"` },
    }));
    pages.set('/returns', () => ({
      body: html('Returns', '<p>Returns are free for thirty days after delivery.</p>'),
    }));
    pages.set('/copy', () => ({
      body: html('Returns', '<p>Returns are free for thirty days after delivery.</p>'),
    }));
    pages.set('/alias', () => ({
      body: html('Alias', '<p>Same as returns.</p>', '<link rel="canonical" href="/returns">'),
    }));
    pages.set('/private/admin', () => ({ body: html('Admin', '<p>secret</p>') }));
    pages.set('/loop', () => ({ status: 302, body: '', headers: { location: '/loop2' } }));
    pages.set('/loop2', () => ({ status: 302, body: '', headers: { location: '/loop' } }));
    pages.set('/slow', () => 'hang');
    pages.set('/huge', () => 'huge');
    pages.set('/de', () => ({
      body: html(
        'Versand',
        '<p>Pakete verlassen unser Lager innerhalb von zwei Werktagen.</p>',
        '',
        'de',
      ),
    }));
    pages.set('/manual.pdf', () => ({
      type: 'application/pdf',
      body: Buffer.from('%PDF-1.4 broken'),
    }));
    pages.set('/broken.pdf', () => ({
      type: 'application/pdf',
      body: Buffer.from('not a pdf at all'),
    }));
    pages.set('/image.png', () => ({ type: 'image/png', body: Buffer.from([0x89, 0x50]) }));
    pages.set('/hidden', () => ({
      body: html('Hidden', '<p>Do not index me.</p>', '<meta name="robots" content="noindex">'),
    }));
    site = await startSite(pages);
  });

  afterAll(async () => {
    await new Promise((resolve) => site.server.close(resolve));
    site.server.closeAllConnections();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('indexes the site, reports every URL with its outcome, and the chat answers from it', async () => {
    const { code, report, outcome } = await run('--allow-private-network');
    expect(code).toBe(2); // the site has broken pages on purpose
    expect(outcome('/')?.outcome).toBe('indexed');
    expect(outcome('/shipping')?.outcome).toBe('indexed');
    expect(outcome('/de')?.outcome).toBe('indexed');
    expect(outcome('/private/admin')).toMatchObject({ outcome: 'skipped', reason: 'robots' });
    expect(outcome('/loop')).toMatchObject({ outcome: 'skipped', reason: 'http status' });
    expect(outcome('/slow')).toMatchObject({ outcome: 'skipped', reason: 'timeout' });
    expect(outcome('/huge')).toMatchObject({ outcome: 'skipped', reason: 'too large' });
    expect(outcome('/broken.pdf')).toMatchObject({ outcome: 'skipped', reason: 'parse error' });
    expect(outcome('/manual.pdf')).toMatchObject({ outcome: 'skipped', reason: 'parse error' });
    expect(outcome('/image.png')).toMatchObject({ outcome: 'skipped', reason: 'content type' });
    expect(outcome('/hidden')).toMatchObject({ outcome: 'skipped', reason: 'noindex' });
    expect(outcome('/alias')).toMatchObject({ outcome: 'skipped', reason: 'duplicate' });
    expect(outcome('/copy')).toMatchObject({ outcome: 'skipped', reason: 'duplicate' });
    expect(outcome('/sitemap.xml')).toBeUndefined(); // only guessed, so its absence is no failure
    expect(report.pages.some((page) => page.url.includes('169.254.169.254'))).toBe(false); // other site
    expect(report.pages.some((page) => page.url.includes('utm_source'))).toBe(false);
    expect(new Set(report.pages.map((page) => page.url)).size).toBe(report.pages.length);

    const app = await startApp({ LORECHAT_DOCS_DIR: '', LORECHAT_DATA_DIR: dataDir });
    try {
      const client = await ChatClient.connect(app.url);
      const answer = await client.askAndWait({
        text: 'How long until parcels leave the warehouse?',
      });
      client.close();
      expect(answer.sources?.[0]?.url).toMatch(new RegExp(`^${site.url}/shipping`));
    } finally {
      await app.app.close();
    }
  }, 30_000);

  it('re-crawls change-aware: unchanged pages untouched, changed replaced, gone removed', async () => {
    const again = await run('--allow-private-network');
    expect(again.report.totals.indexed).toBe(0);
    expect(again.report.totals.updated).toBe(0);
    expect(again.outcome('/shipping')?.outcome).toBe('unchanged');

    shippingText = 'Parcels now leave our warehouse on the same day.';
    pages.delete('/returns');
    const changed = await run('--allow-private-network');
    expect(changed.outcome('/shipping')?.outcome).toBe('updated');
    expect(changed.outcome('/returns')).toMatchObject({ outcome: 'removed', reason: 'gone' });
  }, 30_000);

  it('refuses private and metadata addresses without --allow-private-network', async () => {
    const { report } = await run('--site', 'http://169.254.169.254/latest/meta-data/', '--dry-run');
    const reasons = report.pages.map((page) => page.reason);
    expect(reasons.length).toBeGreaterThan(0);
    expect(new Set(reasons)).toEqual(new Set(['private network']));
  });
});

describe('lorechat ingest --render js (a page built by its script)', () => {
  let site: { server: Server; url: string };
  let dataDir: string;
  const env = () => ({ LORECHAT_DATA_DIR: dataDir, LOG_LEVEL: 'error' });

  /** The page's text exists only once its script has run in a browser. */
  const scriptBuilt = `<!doctype html><html lang="en"><head><title>Warranty</title>
    <script src="/app.js"></script></head><body><noscript>Enable JavaScript.</noscript></body></html>`;
  const script = `addEventListener('load', () => {
    document.body.innerHTML = '<main><h1>Warranty</h1><p>Every kettle carries a seven year warranty covering the heating element.</p></main>';
  });`;

  const crawl = async (...extra: string[]) => {
    const code = await ingest(
      ['--site', `${site.url}/`, '--delay-ms', '0', '--allow-private-network', ...extra],
      env(),
      { stdout: sink(), stderr: sink() },
    );
    const report = JSON.parse(
      readFileSync(join(dataDir, 'crawl-report.json'), 'utf8'),
    ) as CrawlReport;
    const config = loadConfig(env());
    const store = await openVectorStore(config, createEmbeddingProvider(config).dimensions);
    try {
      const terms = new Analyzer(config.retrieval.language).terms('seven year warranty kettle');
      const hits = await store.keywordSearch(terms, { limit: 5 });
      return { code, report, texts: hits.map((hit) => hit.chunk.text) };
    } finally {
      await store.close();
    }
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'lorechat-render-'));
    site = await startSite(
      new Map([
        ['/', () => ({ body: scriptBuilt })],
        ['/app.js', () => ({ type: 'text/javascript', body: script })],
      ]),
    );
  });

  afterAll(() => {
    site.server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reads the served HTML without it: the text is not there', async () => {
    const { report, texts } = await crawl();
    expect(report.pages.find((page) => page.url === `${site.url}/`)?.outcome).not.toBe('indexed');
    expect(texts).toEqual([]);
  });

  it('indexes the rendered text with it', async () => {
    const { code, report, texts } = await crawl('--render', 'js');
    expect(code).toBe(0);
    expect(report.pages.find((page) => page.url === `${site.url}/`)?.outcome).toBe('indexed');
    expect(texts.join('\n')).toContain('seven year warranty covering the heating element');
  }, 30_000);

  it('says what is missing when Chromium is not there', async () => {
    const args = ['--site', `${site.url}/`, '--allow-private-network', '--render', 'js'];
    const missing = { ...env(), CHROMIUM_PATH: join(dataDir, 'no-chromium') };
    await expect(ingest(args, missing, { stdout: sink(), stderr: sink() })).rejects.toThrow(
      RENDER_UNAVAILABLE,
    );
  });
});
