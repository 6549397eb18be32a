import { availableParallelism } from 'node:os';
import { type Indexer, prepareDocument } from '../indexer';
import { type IndexedDocument } from '../../vector-store/chunk';
import { type VectorStore } from '../../vector-store/vector-store';
import { type CrawlManifest, type ManifestEntry } from './crawl-manifest';
import { type CrawlReport, type ReportEntry, summarize } from './crawl-report';
import { CrawlWriter } from './crawl-writer';
import { Fetcher, type FetchResult } from './fetcher';
import { HostPoliteness } from './host-politeness';
import { JsRenderer } from './js-renderer';
import { PagePool } from './page-pool';
import { RobotsCache } from './robots';
import { CrawlScope } from './scope';
import { lastmodPredates, parseSitemap } from './sitemap';
import { type SkipReason } from './skip-reason';
import { normalizeUrl } from '../../common/url-normalizer';
import { type CrawlOptions, type CrawlProgress } from './crawl-options';

interface QueueItem {
  url: string;
  depth: number;
  /** The sitemap's lastmod for this URL, when it came from a sitemap. */
  lastmod?: string;
}

/** Skips after which a page the index held must leave it (the site no longer offers it to us). */
const REMOVING_REASONS = new Set<SkipReason>([
  'robots',
  'excluded',
  'depth',
  'noindex',
  'duplicate',
  'content type',
  'redirect out of scope',
]);
const GONE_STATUSES = new Set([404, 410]);
/** Sitemap indexes nest; this bounds a hostile or looping chain. */
const MAX_SITEMAPS = 200;

/**
 * Crawls sites into the index: discovery (robots.txt, sitemaps, links), fetching, extraction and
 * indexing, with a report line for every URL seen. Change-aware through the manifest: known pages
 * are fetched conditionally, a sitemap lastmod older than our last visit skips the fetch, unchanged
 * content is never re-chunked or re-embedded, and pages gone from the site leave the index.
 *
 * The main thread fetches and decides; extraction, hashing, chunking and term analysis run in a
 * pool of worker threads (PagePool), and index and manifest writes are committed in batches
 * (CrawlWriter). A page's report line is recorded once its writes committed.
 */
export class Crawler {
  private readonly scope: CrawlScope;
  private readonly politeness: HostPoliteness;
  private readonly fetcher: Fetcher;
  private readonly robots: RobotsCache;
  private readonly queue: QueueItem[] = [];
  private readonly seen = new Set<string>();
  private readonly report = new Map<string, ReportEntry>();
  /** Content hash → first URL indexed with it in this crawl: later URLs are duplicates. */
  private readonly hashes = new Map<string, string>();
  private readonly startedAt = new Date().toISOString();
  private pagesVisited = 0;
  private pageLimitHit = false;
  private active = 0;
  private wake: (() => void) | undefined;
  private renderer: JsRenderer | undefined;
  private pool: PagePool | undefined;
  private readonly writer: CrawlWriter;

  constructor(
    private readonly options: CrawlOptions,
    private readonly indexer: Indexer,
    private readonly store: VectorStore,
    private readonly manifest: CrawlManifest,
    private readonly onProgress: (progress: CrawlProgress) => void = () => undefined,
  ) {
    this.scope = new CrawlScope({
      roots: [...options.sites, ...options.sitemaps],
      subdomains: options.subdomains,
      include: options.include,
      exclude: options.exclude,
    });
    this.politeness = new HostPoliteness(options.delayMs);
    this.fetcher = new Fetcher({
      timeoutMs: options.timeoutMs,
      maxBytes: options.maxBytes,
      maxRedirects: 5,
      retries: options.retries,
      retryBaseMs: options.retryBaseMs,
      maxRetryAfterMs: 30_000,
      allowPrivateNetwork: options.allowPrivateNetwork,
      politeness: this.politeness,
      inScope: (url) => this.scope.verdict(url) !== 'other-site',
    });
    this.robots = new RobotsCache(this.fetcher);
    this.writer = new CrawlWriter(store, manifest);
  }

  async run(): Promise<CrawlReport> {
    try {
      if (this.options.render === 'js') {
        this.renderer = await JsRenderer.launch({
          executablePath: this.options.chromiumPath,
          timeoutMs: this.options.timeoutMs,
          allowRequest: (url) => this.scope.verdict(url) !== 'other-site',
          fetch: (url) =>
            this.fetcher.fetch({
              url,
              followRedirect: (next) => this.scope.verdict(next) !== 'other-site',
            }),
        });
      }
      const roots = this.options.sites.flatMap((site) => normalizeUrl(site) ?? []);
      for (const root of roots) this.enqueue({ url: root, depth: 0 });
      await this.discoverSitemaps(roots);
      await Promise.all(
        Array.from({ length: Math.max(1, this.options.concurrency) }, () => this.work()),
      );
      await this.writer.flush();
      if (!this.pageLimitHit && !this.options.dryRun) await this.removeVanishedPages();
    } finally {
      // Whatever was crawled before a failure is still saved, each page whole.
      await this.writer.flush();
      await this.pool?.close();
      await this.renderer?.close();
      this.fetcher.close();
    }
    return summarize([...this.report.values()], {
      startedAt: this.startedAt,
      dryRun: this.options.dryRun,
      sites: this.options.sites,
    });
  }

  /** Started with the first page to extract: a re-crawl answered by 304s never needs it. */
  private pages(): PagePool {
    this.pool ??= new PagePool(this.options.workerThreads || availableParallelism());
    return this.pool;
  }

  private enqueue(item: QueueItem): void {
    if (this.seen.has(item.url)) return;
    if (this.scope.verdict(item.url) === 'other-site') return;
    this.seen.add(item.url);
    this.queue.push(item);
    this.wake?.();
  }

  private record(entry: ReportEntry): void {
    if (!this.report.has(entry.url)) this.report.set(entry.url, entry);
  }

  /** Each worker takes URLs until the queue is empty and no other worker can add to it. */
  private async work(): Promise<void> {
    for (;;) {
      const item = this.queue.shift();
      if (!item) {
        if (this.active === 0) {
          this.wake?.();
          return;
        }
        await new Promise<void>((resolve) => {
          const previous = this.wake;
          this.wake = () => {
            this.wake = undefined;
            previous?.();
            resolve();
          };
        });
        continue;
      }
      this.active += 1;
      try {
        await this.visit(item);
      } catch (error) {
        this.record({
          url: item.url,
          outcome: 'skipped',
          reason: 'parse error',
          detail: `unexpected: ${(error as Error).message}`,
        });
      } finally {
        this.active -= 1;
        this.onProgress({ done: this.report.size, queued: this.queue.length, url: item.url });
        this.wake?.();
      }
    }
  }

  private async discoverSitemaps(roots: string[]): Promise<void> {
    const sitemapUrls = new Set(this.options.sitemaps.flatMap((url) => normalizeUrl(url) ?? []));
    const fallbacks = new Set<string>();
    for (const root of roots) {
      const policy = await this.robots.forUrl(root);
      if (policy.crawlDelayMs !== undefined) {
        this.politeness.setDelay(new URL(root).host, policy.crawlDelayMs);
      }
      for (const sitemap of policy.sitemaps) {
        const url = normalizeUrl(sitemap);
        if (url) sitemapUrls.add(url);
      }
      if (policy.sitemaps.length === 0) fallbacks.add(new URL('/sitemap.xml', root).href);
    }
    const pending = [...sitemapUrls].map((url) => ({ url, explicit: true }));
    pending.push(...[...fallbacks].map((url) => ({ url, explicit: false })));
    const loaded = new Set<string>();
    while (pending.length > 0 && loaded.size < MAX_SITEMAPS) {
      const next = pending.shift();
      if (!next || loaded.has(next.url)) continue;
      loaded.add(next.url);
      const result = await this.fetcher.fetch({ url: next.url });
      if (result.kind !== 'ok') {
        // /sitemap.xml was only a guess: its absence is not worth a report line.
        if (next.explicit && result.kind === 'failed') {
          this.record({
            url: next.url,
            outcome: 'skipped',
            reason: result.reason,
            detail: `sitemap: ${result.detail}`,
          });
        }
        continue;
      }
      try {
        const sitemap = await parseSitemap(result.body, { maxBytes: this.options.maxBytes });
        if (sitemap.kind === 'index') {
          for (const child of sitemap.sitemaps) {
            const url = normalizeUrl(child.loc, next.url);
            if (url) pending.push({ url, explicit: true });
          }
        } else {
          for (const entry of sitemap.urls) {
            const url = normalizeUrl(entry.loc, next.url);
            if (url) this.enqueue({ url, depth: 0, lastmod: entry.lastmod });
          }
        }
      } catch (error) {
        if (next.explicit) {
          this.record({
            url: next.url,
            outcome: 'skipped',
            reason: 'parse error',
            detail: `sitemap: ${(error as Error).message}`,
          });
        }
      }
    }
  }

  private skip(url: string, reason: SkipReason, detail?: string, gone = false): Promise<void> {
    const known = this.manifest.get(url);
    if (known && !this.options.dryRun && (gone || REMOVING_REASONS.has(reason))) {
      return this.remove(url, reason, detail);
    }
    this.record({ url, outcome: 'skipped', reason, detail });
    return Promise.resolve();
  }

  private async remove(url: string, reason: SkipReason | 'gone', detail?: string): Promise<void> {
    await this.store.deleteDocument(url);
    this.manifest.delete(url);
    this.record({ url, outcome: 'removed', reason, detail });
  }

  private async visit(item: QueueItem): Promise<void> {
    const { url } = item;
    if (this.scope.verdict(url) === 'excluded') return this.skip(url, 'excluded');
    if (item.depth > this.options.maxDepth) return this.skip(url, 'depth', `depth ${item.depth}`);
    if (this.pagesVisited >= this.options.maxPages) {
      this.pageLimitHit = true;
      return this.skip(url, 'page limit', `limit ${this.options.maxPages}`);
    }
    this.pagesVisited += 1;
    const robots = await this.robots.forUrl(url);
    if (!robots.isAllowed(url)) {
      return this.skip(url, robots.source === 'private network' ? 'private network' : 'robots');
    }

    const known = this.manifest.get(url);
    if (known?.contentHash && item.lastmod && lastmodPredates(item.lastmod, known.lastSeen)) {
      return this.keepUnchanged(item, known, 'sitemap lastmod older than last crawl');
    }
    const result = await this.fetcher.fetch({
      url,
      conditional: known?.contentHash ? { etag: known.etag, lastModified: known.lastModified } : {},
      followRedirect: (next) => this.scope.verdict(next) === 'in',
    });
    if (result.kind === 'failed') {
      const gone = result.status !== undefined && GONE_STATUSES.has(result.status);
      if (gone && known) return this.remove(url, 'gone', result.detail);
      return this.skip(url, result.reason, result.detail);
    }
    if (result.kind === 'not-modified') {
      if (known) return this.keepUnchanged(item, known, 'HTTP 304');
      return this.skip(url, 'http status', 'HTTP 304 without a conditional request');
    }
    if (result.url !== url) {
      // Redirected within scope: the page lives at its final URL, indexed once under that.
      this.enqueue({ url: result.url, depth: item.depth });
      return this.skip(url, 'duplicate', `redirects to ${result.url}`);
    }

    if (this.renderer && /html/i.test(result.headers['content-type'] ?? '')) {
      try {
        result.body = Buffer.from(await this.renderer.render(renderInput(result)));
      } catch (error) {
        const timedOut = (error as Error).name === 'TimeoutError';
        return this.skip(
          url,
          timedOut ? 'timeout' : 'parse error',
          `render: ${(error as Error).message}`,
        );
      }
    }
    const prepared = await this.pages().prepare({
      url,
      headers: result.headers,
      body: result.body,
      knownHash: known?.contentHash,
      chunk: !this.options.dryRun,
      language: this.indexer.analyzer.language,
      chunking: this.indexer.chunking,
    });
    if (prepared.kind === 'skip') return this.skip(url, prepared.reason, prepared.detail);
    const { page, hash } = prepared;
    if (!page.nofollow) {
      for (const link of page.links) this.enqueue({ url: link, depth: item.depth + 1 });
    }
    const validators = { etag: result.headers.etag, lastModified: result.headers['last-modified'] };
    if (page.noindex) return this.skip(url, 'noindex');
    if (page.canonical && page.canonical !== url && this.scope.verdict(page.canonical) === 'in') {
      this.enqueue({ url: page.canonical, depth: item.depth });
      return this.skip(url, 'duplicate', `canonical is ${page.canonical}`);
    }
    if (page.markdown.trim() === '') return this.skip(url, 'parse error', 'no text content');
    const original = this.hashes.get(hash);
    if (original !== undefined && original !== url) {
      return this.skip(url, 'duplicate', `same content as ${original}`);
    }
    this.hashes.set(hash, url);

    const content = { url, title: page.title, language: page.language, markdown: page.markdown };
    if (this.options.dryRun) {
      const stored = await this.store.documentHash(url);
      const outcome = stored === undefined ? 'indexed' : stored === hash ? 'unchanged' : 'updated';
      this.record({ url, outcome });
      return;
    }
    const entry: ManifestEntry = {
      url,
      ...validators,
      contentHash: hash,
      chunkCount: known?.chunkCount,
      links: page.nofollow ? [] : page.links,
      lastSeen: this.startedAt,
      outcome: 'unchanged',
    };
    const previousHash = await this.store.documentHash(url);
    if (previousHash === hash) return this.write({ entry }, 'unchanged');
    const { analyzer, chunking } = this.indexer;
    const document = await this.indexer.embed(
      prepared.document ?? prepareDocument(content, hash, analyzer, chunking),
    );
    const outcome = previousHash === undefined ? 'indexed' : 'updated';
    const written = { ...entry, chunkCount: document.chunks.length, outcome: 'indexed' };
    return this.write({ document, entry: written }, outcome);
  }

  /** Queues the page's writes; its report line is recorded when they commit. */
  private write(
    write: { document?: IndexedDocument; entry: ManifestEntry },
    outcome: 'indexed' | 'updated' | 'unchanged',
    detail?: string,
  ): Promise<void> {
    const { url } = write.entry;
    return this.writer.add({
      ...write,
      done: (error) =>
        this.record(
          error
            ? {
                url,
                outcome: 'skipped',
                reason: 'parse error',
                detail: `unexpected: ${error.message}`,
              }
            : { url, outcome, detail },
        ),
    });
  }

  /** The page is as we indexed it: re-follow its remembered links and note that we saw it. */
  private keepUnchanged(item: QueueItem, known: ManifestEntry, detail: string): Promise<void> {
    for (const link of known.links) this.enqueue({ url: link, depth: item.depth + 1 });
    if (known.contentHash) this.hashes.set(known.contentHash, item.url);
    if (this.options.dryRun) {
      this.record({ url: item.url, outcome: 'unchanged', detail });
      return Promise.resolve();
    }
    const entry = { ...known, lastSeen: this.startedAt, outcome: 'unchanged' };
    return this.write({ entry }, 'unchanged', detail);
  }

  /**
   * Pages of the crawled sites that the manifest knows but this crawl never reached (unlinked,
   * dropped from the sitemap) leave the index. Only after a complete crawl: a crawl stopped by the
   * page limit has not looked everywhere, and an interrupted one never gets here.
   */
  private async removeVanishedPages(): Promise<void> {
    for (const url of this.manifest.urls()) {
      if (this.seen.has(url) || !this.scope.owns(url)) continue;
      await this.remove(url, 'gone', 'no longer linked or listed in a sitemap');
    }
  }
}

/** The fetched page as the renderer serves it to Chromium, so the browser never fetches it again. */
function renderInput(result: Extract<FetchResult, { kind: 'ok' }>) {
  const contentType = result.headers['content-type'] ?? 'text/html';
  return { url: result.url, status: result.status, contentType, body: result.body };
}
