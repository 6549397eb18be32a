import { gunzipSync } from 'node:zlib';
import { XMLParser, XMLValidator } from 'fast-xml-parser';

export interface SitemapEntry {
  loc: string;
  /** W3C datetime from the sitemap, when given. */
  lastmod?: string;
}

export type Sitemap =
  { kind: 'urlset'; urls: SitemapEntry[] } | { kind: 'index'; sitemaps: SitemapEntry[] };

export class SitemapError extends Error {
  override name = 'SitemapError';
}

const parser = new XMLParser({
  ignoreAttributes: true,
  removeNSPrefix: true,
  isArray: (name) => name === 'url' || name === 'sitemap',
  processEntities: true,
  parseTagValue: false,
});

/** Sitemaps may be served gzipped without a Content-Encoding: recognise them by their magic bytes. */
export function maybeGunzip(body: Buffer): Buffer {
  return body.length > 2 && body[0] === 0x1f && body[1] === 0x8b ? gunzipSync(body) : body;
}

function entries(list: unknown): SitemapEntry[] {
  if (!Array.isArray(list)) return [];
  return list.flatMap((item: unknown) => {
    const { loc, lastmod } = (item ?? {}) as { loc?: unknown; lastmod?: unknown };
    if (typeof loc !== 'string' || loc.trim() === '') return [];
    return [{ loc: loc.trim(), lastmod: typeof lastmod === 'string' ? lastmod.trim() : undefined }];
  });
}

/** Parses a sitemap or sitemap index (sitemaps.org protocol); anything else is a SitemapError. */
export function parseSitemap(body: Buffer): Sitemap {
  let xml: string;
  try {
    xml = maybeGunzip(body).toString('utf8');
  } catch (error) {
    throw new SitemapError(`not a valid gzip file: ${(error as Error).message}`);
  }
  const valid = XMLValidator.validate(xml);
  if (valid !== true) throw new SitemapError(`not XML: ${valid.err.msg} (line ${valid.err.line})`);
  const document = parser.parse(xml) as {
    urlset?: { url?: unknown };
    sitemapindex?: { sitemap?: unknown };
  };
  if (document.sitemapindex !== undefined) {
    return { kind: 'index', sitemaps: entries(document.sitemapindex.sitemap) };
  }
  if (document.urlset !== undefined) return { kind: 'urlset', urls: entries(document.urlset.url) };
  throw new SitemapError('XML, but neither a <urlset> nor a <sitemapindex>');
}

const DAY_MS = 86_400_000;

/**
 * True when a sitemap `lastmod` says the page last changed before `since`. W3C datetimes may stop
 * at the day or the minute, and a page changed at any moment of that period, so the whole period
 * must lie before `since`: `2024-05-01` does not predate a crawl at noon that day.
 */
export function lastmodPredates(lastmod: string, since: string): boolean {
  const changed = Date.parse(lastmod);
  if (Number.isNaN(changed)) return false;
  const time = /T(\d{2}:\d{2})(:\d{2}(\.\d+)?)?/.exec(lastmod);
  const precisionMs = !time ? DAY_MS : time[3] ? 1 : time[2] ? 1000 : 60_000;
  return changed + precisionMs <= Date.parse(since);
}
