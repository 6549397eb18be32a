/**
 * `npm run bench:ingest [-- --dataset DIR] [--concurrency N]`
 *
 * Serves a local site on 127.0.0.1, from a worker thread, built from a BEIR corpus (default
 * ../shared/data/scifact): one HTML page per abstract with ETag and Last-Modified, a sitemap with lastmod, and a robots.txt that
 * disallows one section. Crawls it through the real crawler into a temporary data directory, then
 * re-crawls it unchanged, then changes and deletes a few pages and re-crawls. Prints pages/s per
 * pass, pages re-embedded on the unchanged pass (must be 0) and the final index counts; last line
 * one JSON object.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  isMainThread,
  type MessagePort,
  parentPort,
  Worker,
  workerData,
} from 'node:worker_threads';
import { loadConfig } from '../config/app-config';
import { createEmbeddingProvider } from '../embeddings/embeddings.module';
import { CrawlManifest, manifestFile } from '../ingest/crawler/crawl-manifest';
import { type CrawlReport } from '../ingest/crawler/crawl-report';
import { Crawler, DEFAULT_CRAWL_OPTIONS } from '../ingest/crawler/crawler';
import { Indexer } from '../ingest/indexer';
import { Analyzer } from '../text/analyzer';
import { EmbeddedStore } from '../vector-store/embedded.store';
import { type BeirDocument, loadBeir } from './beir';

/** Every 50th abstract sits under /private/, which robots.txt disallows. */
const PRIVATE_EVERY = 50;
const CHANGED = 5;
const DELETED = 5;

interface Page {
  path: string;
  html: string;
  etag: string;
  /** The sitemap's lastmod, exact: Last-Modified (an HTTP date) keeps only whole seconds. */
  modified: Date;
}

/** What the crawling thread asks of the site's thread between passes. */
type SiteCommand =
  | { kind: 'revise'; paths: string[] }
  | { kind: 'delete'; paths: string[] }
  | { kind: 'take-served' };
type SiteMessage = { kind: 'listening'; origin: string } | { kind: 'done'; served: number };

const escape = (text: string) =>
  text.replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c,
  );

function page(path: string, title: string, text: string, modified: Date): Page {
  const html = `<!doctype html><html lang="en"><head><title>${escape(title)}</title></head><body>
<nav><a href="/">Home</a></nav><main><h1>${escape(title)}</h1><p>${escape(text)}</p></main>
<footer>SciFact bench site</footer></body></html>`;
  const etag = `"${createHash('sha1').update(html).digest('hex')}"`;
  return { path, html, etag, modified };
}

function pagePath(document: BeirDocument, index: number): string {
  const section = index % PRIVATE_EVERY === 0 ? 'private' : 'doc';
  return `/${section}/${encodeURIComponent(document.id)}`;
}

/**
 * The bench site, run in a worker thread: serving 5,000 pages costs CPU that would otherwise be
 * taken from the crawler's event loop and counted against the crawler's pages/s.
 */
async function serveSite(corpus: BeirDocument[], parent: MessagePort): Promise<void> {
  const pages = new Map<string, Page>();
  const started = new Date(Date.now() - 86_400_000);
  corpus.forEach((document, index) => {
    const path = pagePath(document, index);
    pages.set(path, page(path, document.title, document.text, started));
  });
  const sitemap = () =>
    `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${[
      ...pages.values(),
    ]
      .map(
        (p) =>
          `<url><loc>${origin}${p.path}</loc><lastmod>${p.modified.toISOString()}</lastmod></url>`,
      )
      .join('')}</urlset>`;
  let served = 0;
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    if (path === '/robots.txt') {
      return void response.end(
        `User-agent: *\nDisallow: /private/\nSitemap: ${origin}/sitemap.xml\n`,
      );
    }
    if (path === '/sitemap.xml') {
      return void response.writeHead(200, { 'content-type': 'application/xml' }).end(sitemap());
    }
    const found = pages.get(path);
    if (!found) return void response.writeHead(404).end();
    served += 1;
    if (request.headers['if-none-match'] === found.etag) return void response.writeHead(304).end();
    response
      .writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        etag: found.etag,
        'last-modified': found.modified.toUTCString(),
      })
      .end(found.html);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  parent.on('message', (command: SiteCommand) => {
    if (command.kind === 'revise') {
      const later = new Date();
      for (const path of command.paths) {
        const old = pages.get(path);
        if (old)
          pages.set(path, page(path, `${path} revised`, `${old.html.length} revised text`, later));
      }
    } else if (command.kind === 'delete') {
      for (const path of command.paths) pages.delete(path);
    }
    const reply: SiteMessage = { kind: 'done', served };
    if (command.kind === 'take-served') served = 0;
    parent.postMessage(reply);
  });
  parent.postMessage({ kind: 'listening', origin } satisfies SiteMessage);
}

/** The crawling thread's handle on the site worker: one command at a time, answered in order. */
class BenchSite {
  private constructor(
    private readonly worker: Worker,
    readonly origin: string,
  ) {}

  static start(corpus: BeirDocument[]): Promise<BenchSite> {
    const worker = new Worker(__filename, { workerData: corpus });
    return new Promise((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', (message: SiteMessage) => {
        if (message.kind === 'listening') resolve(new BenchSite(worker, message.origin));
      });
    });
  }

  /** Sends a command; resolves with the page requests served since the last 'take-served'. */
  send(command: SiteCommand): Promise<number> {
    return new Promise((resolve) => {
      this.worker.once('message', (message: SiteMessage) => {
        if (message.kind === 'done') resolve(message.served);
      });
      this.worker.postMessage(command);
    });
  }

  stop(): Promise<number> {
    return this.worker.terminate();
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dataset: { type: 'string', default: resolve(__dirname, '../../../../shared/data/scifact') },
      concurrency: { type: 'string', default: '8' },
    },
  });
  const { corpus } = await loadBeir(values.dataset, 'train');
  const paths = corpus.map(pagePath);
  const site = await BenchSite.start(corpus);
  const { origin } = site;

  const dataDir = mkdtempSync(join(tmpdir(), 'lorechat-bench-ingest-'));
  const config = loadConfig({
    ...process.env,
    LORECHAT_DATA_DIR: dataDir,
    VECTOR_STORE: 'embedded',
  });
  const embeddings = createEmbeddingProvider(config);
  const store = new EmbeddedStore(config.dataDir, config.retrieval.bm25);
  await store.init(embeddings.dimensions);
  const indexer = new Indexer(store, new Analyzer(config.retrieval.language), embeddings);
  const manifest = new CrawlManifest(manifestFile(dataDir, 'embedded'));
  const crawl = async (label: string) => {
    await site.send({ kind: 'take-served' });
    const crawler = new Crawler(
      {
        ...DEFAULT_CRAWL_OPTIONS,
        sites: [`${origin}/`],
        maxPages: 100_000,
        concurrency: Number(values.concurrency),
        delayMs: 0,
        allowPrivateNetwork: true,
      },
      indexer,
      store,
      manifest,
    );
    const report: CrawlReport = await crawler.run();
    const considered = report.pages.filter((p) => p.outcome !== 'skipped' || p.reason !== 'robots');
    const pagesPerSecond = considered.length / report.seconds;
    const served = await site.send({ kind: 'take-served' });
    console.log(
      `${label.padEnd(10)} ${report.seconds.toFixed(1).padStart(6)} s  ${pagesPerSecond.toFixed(0).padStart(5)} pages/s  ` +
        `${JSON.stringify(report.totals)} skipped ${JSON.stringify(report.skippedByReason)} (${served} page requests)`,
    );
    return { report, pagesPerSecond };
  };
  try {
    const first = await crawl('first');
    const unchanged = await crawl('unchanged');
    const docPaths = paths.filter((path) => path.startsWith('/doc/'));
    await site.send({ kind: 'revise', paths: docPaths.slice(0, CHANGED) });
    await site.send({ kind: 'delete', paths: docPaths.slice(CHANGED, CHANGED + DELETED) });
    const changed = await crawl('changed');
    const stats = await store.stats();
    const expectedIndexed = docPaths.length;
    const exact =
      first.report.totals.indexed === expectedIndexed &&
      unchanged.report.totals.unchanged === expectedIndexed &&
      changed.report.totals.updated === CHANGED &&
      changed.report.totals.removed === DELETED &&
      stats.documents === expectedIndexed - DELETED;
    console.log(
      JSON.stringify({
        pages: paths.length,
        firstPagesPerSecond: Math.round(first.pagesPerSecond),
        unchangedPagesPerSecond: Math.round(unchanged.pagesPerSecond),
        changedPagesPerSecond: Math.round(changed.pagesPerSecond),
        reembeddedOnUnchanged: unchanged.report.totals.indexed + unchanged.report.totals.updated,
        robotsSkipped: first.report.skippedByReason.robots ?? 0,
        updated: changed.report.totals.updated,
        removed: changed.report.totals.removed,
        documents: stats.documents,
        chunks: stats.chunks,
        reportMatchesSite: exact,
      }),
    );
  } finally {
    manifest.close();
    await store.close();
    await site.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (isMainThread) void main();
else void serveSite(workerData as BeirDocument[], parentPort as MessagePort);
