/** Which URLs belong to the crawl: the sites asked for, narrowed by include/exclude patterns. */

export interface ScopeOptions {
  /** Start URLs; their hosts (name and port) are the sites crawled. */
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

/**
 * A site is a host name and a port: another port of the same host is another service (an admin
 * interface, a database's HTTP API), never part of the crawl unless a start URL names it. The
 * default ports of http and https count as one, so a site that redirects to https stays itself.
 */
function siteOf(url: URL): { hostname: string; port: string } {
  return { hostname: url.hostname, port: url.port === '' ? 'default' : url.port };
}

export class CrawlScope {
  private readonly sites: { hostname: string; port: string }[];
  private readonly include: { source: string; regex: RegExp }[];
  private readonly exclude: { source: string; regex: RegExp }[];

  constructor(private readonly options: ScopeOptions) {
    this.sites = options.roots.map((root) => siteOf(new URL(root)));
    this.include = options.include.map((source) => ({ source, regex: compilePattern(source) }));
    this.exclude = options.exclude.map((source) => ({ source, regex: compilePattern(source) }));
  }

  /** Whether the URL is on one of the crawled sites (used to find pages that left them). */
  owns(href: string | URL): boolean {
    const { hostname, port } = siteOf(new URL(href));
    return this.sites.some(
      (site) =>
        site.port === port &&
        (site.hostname === hostname ||
          (this.options.subdomains && hostname.endsWith(`.${site.hostname}`))),
    );
  }

  verdict(href: string): ScopeVerdict {
    const url = new URL(href);
    if (!this.owns(url)) return 'other-site';
    const matches = (rule: { source: string; regex: RegExp }) =>
      rule.regex.test(patternSubject(rule.source, url));
    if (this.exclude.some(matches)) return 'excluded';
    if (this.include.length > 0 && !this.include.some(matches)) return 'excluded';
    return 'in';
  }
}
