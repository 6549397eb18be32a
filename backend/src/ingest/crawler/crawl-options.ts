/** What a crawl may do (`lorechat ingest` flags and their defaults) and how it reports progress. */
export interface CrawlOptions {
  /** Start URLs (their hosts are the sites crawled). */
  sites: string[];
  /** Extra sitemap URLs, besides robots.txt Sitemap lines and /sitemap.xml. */
  sitemaps: string[];
  maxPages: number;
  /** Link hops from a start URL or sitemap entry. */
  maxDepth: number;
  include: string[];
  exclude: string[];
  subdomains: boolean;
  concurrency: number;
  delayMs: number;
  allowPrivateNetwork: boolean;
  dryRun: boolean;
  timeoutMs: number;
  maxBytes: number;
  retries: number;
  retryBaseMs: number;
  /** 'js': HTML pages are rendered in headless Chromium before extraction, for script-built sites. */
  render: 'none' | 'js';
  chromiumPath: string;
  /** Worker threads that extract and chunk pages; 0 means one per core. */
  workerThreads: number;
}

export const DEFAULT_CRAWL_OPTIONS: Omit<CrawlOptions, 'sites'> = {
  sitemaps: [],
  maxPages: 10_000,
  maxDepth: 10,
  include: [],
  exclude: [],
  subdomains: false,
  concurrency: 4,
  delayMs: 250,
  allowPrivateNetwork: false,
  dryRun: false,
  timeoutMs: 15_000,
  maxBytes: 10 * 1024 * 1024,
  retries: 2,
  retryBaseMs: 1000,
  render: 'none',
  chromiumPath: '/usr/bin/chromium',
  workerThreads: 0,
};

export interface CrawlProgress {
  done: number;
  queued: number;
  url: string;
}
