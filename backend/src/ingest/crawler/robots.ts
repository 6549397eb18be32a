import robotsParser from 'robots-parser';
import { type Fetcher, ROBOTS_AGENT } from './fetcher';

/** What one host's robots.txt allows us. */
export interface RobotsPolicy {
  isAllowed(url: string): boolean;
  /** Crawl-delay for our agent (or `*`), in milliseconds, at most MAX_CRAWL_DELAY_MS. */
  crawlDelayMs?: number;
  /** Sitemap lines, absolute URLs. */
  sitemaps: string[];
  /** How the policy was decided, for the report and logs. */
  source: 'robots.txt' | 'none (4xx: allow all)' | 'unreachable (disallow all)' | 'private network';
}

/** RFC 9309 §2.5: crawlers must parse at least 500 KiB; more is ignored. */
const MAX_ROBOTS_BYTES = 500 * 1024;

/**
 * The longest Crawl-delay honoured, as for Retry-After: a robots.txt asking for a day between
 * requests would otherwise hold the crawl (and the ingest job's task) for weeks. Sites that need
 * to be crawled more slowly than one page per 30 s can disallow the crawler instead.
 */
export const MAX_CRAWL_DELAY_MS = 30_000;

export function parseRobots(robotsUrl: string, text: string): RobotsPolicy {
  const robots = robotsParser(robotsUrl, text.slice(0, MAX_ROBOTS_BYTES));
  const delaySeconds = robots.getCrawlDelay(ROBOTS_AGENT);
  return {
    // undefined means the URL is on another host; that host has its own robots.txt.
    isAllowed: (url) => robots.isAllowed(url, ROBOTS_AGENT) !== false,
    crawlDelayMs:
      delaySeconds === undefined || !(delaySeconds >= 0)
        ? undefined
        : Math.min(delaySeconds * 1000, MAX_CRAWL_DELAY_MS),
    sitemaps: robots.getSitemaps(),
    source: 'robots.txt',
  };
}

const ALLOW_ALL: RobotsPolicy = {
  isAllowed: () => true,
  sitemaps: [],
  source: 'none (4xx: allow all)',
};
const DISALLOW_ALL: RobotsPolicy = {
  isAllowed: () => false,
  sitemaps: [],
  source: 'unreachable (disallow all)',
};

/**
 * One robots.txt per origin, fetched once per crawl. As RFC 9309 §2.3.1 says: a 4xx means no
 * rules (crawl everything), while a 5xx or an unreachable server means "assume complete
 * disallow" — a struggling site is not crawled harder.
 */
export class RobotsCache {
  private readonly policies = new Map<string, Promise<RobotsPolicy>>();

  constructor(private readonly fetcher: Fetcher) {}

  forUrl(url: string): Promise<RobotsPolicy> {
    const origin = new URL(url).origin;
    let policy = this.policies.get(origin);
    if (!policy) {
      policy = this.load(`${origin}/robots.txt`);
      this.policies.set(origin, policy);
    }
    return policy;
  }

  private async load(robotsUrl: string): Promise<RobotsPolicy> {
    const result = await this.fetcher.fetch({ url: robotsUrl });
    if (result.kind === 'ok') return parseRobots(result.url, result.body.toString('utf8'));
    if (result.kind === 'failed' && result.reason === 'private network') {
      return { ...DISALLOW_ALL, source: 'private network' };
    }
    if (result.kind === 'failed' && result.status !== undefined) {
      if (result.status >= 400 && result.status < 500) return ALLOW_ALL;
    }
    return DISALLOW_ALL;
  }
}
