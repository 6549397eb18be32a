/**
 * Sitemap discovery under attack, end to end through `lorechat ingest`: two real local HTTP
 * servers on 127.0.0.1 (hence --allow-private-network), the site and "another service" on another
 * port of the same host. robots.txt, a sitemap index and its children try to send the crawler to
 * that other port, and one child is a gzip bomb. Nothing may reach the other service, and each
 * refusal has its line in the report.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ingest } from '../src/cli';
import { type CrawlReport } from '../src/ingest/crawler/crawl-report';

type Page = { status?: number; type?: string; body: string | Buffer; location?: string };

async function serve(
  pages: Map<string, () => Page>,
): Promise<{ server: Server; url: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((request, response) => {
    requests.push(request);
    const page = pages.get(request.url ?? '/')?.();
    if (!page) return void response.writeHead(404).end('not found');
    response.writeHead(page.status ?? 200, {
      'content-type': page.type ?? 'text/html; charset=utf-8',
      ...(page.location && { location: page.location }),
    });
    response.end(page.body);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, requests };
}

const sink = () => ({ isTTY: false, write: () => true }) as unknown as NodeJS.WriteStream;
const html = (title: string, body: string) =>
  `<!doctype html><html lang="en"><head><title>${title}</title></head><body><main><h1>${title}</h1>${body}</main></body></html>`;
const urlset = (...locs: string[]) =>
  `<urlset>${locs.map((loc) => `<url><loc>${loc}</loc></url>`).join('')}</urlset>`;

describe('sitemap discovery stays on the crawled site (two local servers on 127.0.0.1)', () => {
  let dataDir: string;
  let site: Awaited<ReturnType<typeof serve>>;
  let other: Awaited<ReturnType<typeof serve>>;
  const sitePages = new Map<string, () => Page>();

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'lorechat-crawl-scope-'));
    other = await serve(
      new Map([
        ['/sitemap.xml', () => ({ type: 'application/xml', body: urlset('/secret') })],
        ['/secret', () => ({ body: '<title>Secret</title><p>Internal service page.</p>' })],
      ]),
    );
    site = await serve(sitePages);
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, ' '), { level: 9 });
    sitePages.set('/robots.txt', () => ({
      type: 'text/plain',
      body: `User-agent: *\nAllow: /\nSitemap: ${other.url}/sitemap.xml\nSitemap: ${site.url}/index.xml\n`,
    }));
    sitePages.set('/index.xml', () => ({
      type: 'application/xml',
      body: `<sitemapindex>${[
        `${other.url}/sitemap.xml`,
        `${site.url}/moved.xml`,
        `${site.url}/bomb.xml.gz`,
        `${site.url}/pages.xml`,
      ]
        .map((loc) => `<sitemap><loc>${loc}</loc></sitemap>`)
        .join('')}</sitemapindex>`,
    }));
    sitePages.set('/moved.xml', () => ({
      status: 301,
      body: '',
      location: `${other.url}/sitemap.xml`,
    }));
    sitePages.set('/bomb.xml.gz', () => ({ type: 'application/octet-stream', body: bomb }));
    sitePages.set('/pages.xml', () => ({
      type: 'application/xml',
      body: urlset(`${site.url}/guide`, `${other.url}/secret`),
    }));
    sitePages.set('/', () => ({
      body: html('Home', '<p>Welcome to the kettle shop, where every kettle is tested.</p>'),
    }));
    sitePages.set('/guide', () => ({
      body: html(
        'Guide',
        `<p>Fill the kettle to the line, close the lid and press the switch once.</p>
        <a href="${other.url}/secret">internal</a>`,
      ),
    }));
  });

  afterAll(async () => {
    for (const { server } of [site, other]) {
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  // Regression (issue 19, finding 4): robots.txt Sitemap lines, sitemap-index children and their
  // redirects were fetched on other hosts and ports, and a gzipped sitemap inflated without a cap.
  it('fetches nothing on another port, and reports each refusal and the bomb', async () => {
    const args = ['--site', `${site.url}/`, '--delay-ms', '0', '--allow-private-network'];
    await ingest(
      [...args, '--max-bytes', '1000000'],
      { LORECHAT_DATA_DIR: dataDir, LOG_LEVEL: 'error' },
      {
        stdout: sink(),
        stderr: sink(),
      },
    );
    const report = JSON.parse(
      readFileSync(join(dataDir, 'crawl-report.json'), 'utf8'),
    ) as CrawlReport;
    const outcome = (url: string) => report.pages.find((page) => page.url === url);

    expect(other.requests.map((request) => request.url)).toEqual([]);
    expect(outcome(`${other.url}/sitemap.xml`)).toMatchObject({
      outcome: 'skipped',
      reason: 'other site',
    });
    expect(outcome(`${site.url}/moved.xml`)).toMatchObject({
      outcome: 'skipped',
      reason: 'redirect out of scope',
    });
    expect(outcome(`${site.url}/bomb.xml.gz`)).toMatchObject({
      outcome: 'skipped',
      reason: 'parse error',
      detail: expect.stringMatching(/more than 1000000 bytes once decompressed/),
    });
    expect(outcome(`${site.url}/guide`)?.outcome).toBe('indexed');
    expect(outcome(`${other.url}/secret`)).toBeUndefined();
  }, 30_000);
});
