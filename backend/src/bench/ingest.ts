/**
 * `npm run bench:ingest -- --dataset DIR [--concurrency N] [--pages N]`
 *
 * Serves a local site on 127.0.0.1, from a worker thread, built from a BEIR corpus (the
 * figures in docs/ingest.md are SciFact's 5,183 abstracts): one HTML page per abstract with ETag and Last-Modified, a sitemap with
 * lastmod, and a robots.txt that disallows one section. The baseline is a plain keep-alive HTTP
 * client fetching the same pages at the same concurrency, measured in the same run before and
 * after the crawls (the machine is noisy: ratios, not absolute rates, are the figures to compare).
 * Then the real crawler, with no politeness delay, into a temporary data directory:
 * - first: every page fetched, extracted, chunked and indexed;
 * - unchanged: the sitemap leaves lastmod out, so every page is asked for conditionally (304);
 * - lastmod: the sitemap's lastmod says nothing changed, so no page is requested;
 * - changed: a few pages revised and a few deleted.
 * Prints pages/s per pass and its ratio to the plain client's, pages re-embedded on the unchanged
 * passes (must be 0) and the final index counts; last line one JSON object.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http, { createServer } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
import { DEFAULT_CRAWL_OPTIONS } from '../ingest/crawler/crawl-options';
import { Crawler } from '../ingest/crawler/crawler';
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
  | { kind: 'sitemap-lastmod'; on: boolean }
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
  let sitemapLastmod = true;
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
          `<url><loc>${origin}${p.path}</loc>` +
          (sitemapLastmod ? `<lastmod>${p.modified.toISOString()}</lastmod>` : '') +
          '</url>',
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
    } else if (command.kind === 'sitemap-lastmod') {
      sitemapLastmod = command.on;
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

/**
 * The baseline: a plain keep-alive HTTP client GETting every page and reading its body, `concurrency`
 * requests at a time, as the crawler's fetcher does; with `etags`, conditionally (every answer a 304).
 */
async function plainFetchRate(
  origin: string,
  paths: string[],
  concurrency: number,
  etags?: Map<string, string>,
): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const get = (path: string) =>
    new Promise<void>((done, fail) => {
      const etag = etags?.get(path);
      const request = http.get(
        `${origin}${path}`,
        { agent, headers: etag ? { 'if-none-match': etag } : {} },
        (response) => {
          const parts: Buffer[] = [];
          response.on('data', (part: Buffer) => parts.push(part));
          response.on('end', () => {
            if (etags && !etag && response.headers.etag) etags.set(path, response.headers.etag);
            Buffer.concat(parts);
            done();
          });
          response.on('error', fail);
        },
      );
      request.on('error', fail);
    });
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let index = next++; index < paths.length; index = next++) {
        await get(paths[index] ?? '/');
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return paths.length / seconds;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dataset: { type: 'string' },
      concurrency: { type: 'string', default: '8' },
      pages: { type: 'string' },
    },
  });
  if (!values.dataset) throw new Error('--dataset DIR is required (a BEIR-format folder)');
  const concurrency = Number(values.concurrency);
  const { corpus: fullCorpus } = await loadBeir(values.dataset, 'train');
  const corpus = values.pages ? fullCorpus.slice(0, Number(values.pages)) : fullCorpus;
  const paths = corpus.map(pagePath);
  const docPaths = paths.filter((path) => path.startsWith('/doc/'));
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
  const baseline = async (label: string, etags?: Map<string, string>) => {
    const cpuBefore = process.cpuUsage();
    const rate = await plainFetchRate(origin, docPaths, concurrency, etags);
    const cpu = process.cpuUsage(cpuBefore);
    await site.send({ kind: 'take-served' });
    const cpuMsPerPage = (cpu.user + cpu.system) / 1000 / docPaths.length;
    console.log(
      `${label.padEnd(16)} ${rate.toFixed(0).padStart(5)} pages/s ${''.padStart(8)}  ${cpuMsPerPage.toFixed(2)} CPU ms/page`,
    );
    return rate;
  };
  const crawl = async (label: string) => {
    await site.send({ kind: 'take-served' });
    const cpuBefore = process.cpuUsage();
    const crawler = new Crawler(
      {
        ...DEFAULT_CRAWL_OPTIONS,
        sites: [`${origin}/`],
        maxPages: 100_000,
        concurrency,
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
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMsPerPage = (cpu.user + cpu.system) / 1000 / considered.length;
    const served = await site.send({ kind: 'take-served' });
    console.log(
      `${label.padEnd(16)} ${pagesPerSecond.toFixed(0).padStart(5)} pages/s ${report.seconds.toFixed(1).padStart(6)} s  ` +
        `${cpuMsPerPage.toFixed(2)} CPU ms/page  ` +
        `${JSON.stringify(report.totals)} skipped ${JSON.stringify(report.skippedByReason)} (${served} page requests)`,
    );
    return { report, pagesPerSecond };
  };
  try {
    const etags = new Map<string, string>();
    const fetchBefore = await baseline('plain client', etags);
    const conditionalFetch = await baseline('plain client 304', etags);
    const first = await crawl('first');
    await site.send({ kind: 'sitemap-lastmod', on: false });
    const unchanged = await crawl('unchanged (304)');
    await site.send({ kind: 'sitemap-lastmod', on: true });
    const lastmod = await crawl('unchanged (lastmod)');
    await site.send({ kind: 'revise', paths: docPaths.slice(0, CHANGED) });
    await site.send({ kind: 'delete', paths: docPaths.slice(CHANGED, CHANGED + DELETED) });
    const changed = await crawl('changed');
    const fetchAfter = await baseline('plain client', undefined);
    const fetchRate = (fetchBefore + fetchAfter) / 2;
    const stats = await store.stats();
    const expectedIndexed = docPaths.length;
    const exact =
      first.report.totals.indexed === expectedIndexed &&
      unchanged.report.totals.unchanged === expectedIndexed &&
      lastmod.report.totals.unchanged === expectedIndexed &&
      changed.report.totals.updated === CHANGED &&
      changed.report.totals.removed === DELETED &&
      stats.documents === expectedIndexed - DELETED;
    const ratio = (rate: number) => Number((rate / fetchRate).toFixed(3));
    console.log(
      JSON.stringify({
        pages: paths.length,
        concurrency,
        fetchPagesPerSecond: Math.round(fetchRate),
        conditionalFetchPagesPerSecond: Math.round(conditionalFetch),
        firstPagesPerSecond: Math.round(first.pagesPerSecond),
        firstVsFetch: ratio(first.pagesPerSecond),
        unchangedPagesPerSecond: Math.round(unchanged.pagesPerSecond),
        unchangedVsFetch: ratio(unchanged.pagesPerSecond),
        lastmodPagesPerSecond: Math.round(lastmod.pagesPerSecond),
        changedPagesPerSecond: Math.round(changed.pagesPerSecond),
        changedVsFetch: ratio(changed.pagesPerSecond),
        reembeddedOnUnchanged: [unchanged, lastmod].reduce(
          (sum, pass) => sum + pass.report.totals.indexed + pass.report.totals.updated,
          0,
        ),
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
