/** Which URLs belong to the crawl: the sites asked for, narrowed by include/exclude patterns. */

export interface ScopeOptions {
  /** Start URLs; their hosts are the sites crawled. */
  roots: string[];
  /** Also crawl subdomains of the root hosts (docs.example.com under example.com). */
  subdomains: boolean;
  /** When given, only URLs matching one of these are crawled. */
  include: string[];
  /** URLs matching one of these are never crawled. */
  exclude: string[];
}

export type ScopeVerdict = 'in' | 'other-site' | 'excluded';

/**
 * A URL pattern: `*` matches any run of characters. A pattern with a scheme (`https://…`) is
 * matched against the whole URL, any other against the path and query (`/blog/*`), so owners can
 * write either. Patterns are anchored: `/blog/*` does not match `/en/blog/x`.
 */
export function compilePattern(pattern: string): RegExp {
  const escaped = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${escaped}$`);
}

function patternSubject(pattern: string, url: URL): string {
  return /^[a-z]+:\/\//i.test(pattern) ? url.href : `${url.pathname}${url.search}`;
}

export class CrawlScope {
  private readonly hosts: Set<string>;
  private readonly include: { source: string; regex: RegExp }[];
  private readonly exclude: { source: string; regex: RegExp }[];

  constructor(private readonly options: ScopeOptions) {
    this.hosts = new Set(options.roots.map((root) => new URL(root).hostname));
    this.include = options.include.map((source) => ({ source, regex: compilePattern(source) }));
    this.exclude = options.exclude.map((source) => ({ source, regex: compilePattern(source) }));
  }

  /** The hosts whose pages this crawl owns (used to find pages that left the site). */
  ownsHost(hostname: string): boolean {
    if (this.hosts.has(hostname)) return true;
    if (!this.options.subdomains) return false;
    return [...this.hosts].some((host) => hostname.endsWith(`.${host}`));
  }

  verdict(href: string): ScopeVerdict {
    const url = new URL(href);
    if (!this.ownsHost(url.hostname)) return 'other-site';
    const matches = (rule: { source: string; regex: RegExp }) =>
      rule.regex.test(patternSubject(rule.source, url));
    if (this.exclude.some(matches)) return 'excluded';
    if (this.include.length > 0 && !this.include.some(matches)) return 'excluded';
    return 'in';
  }
}
