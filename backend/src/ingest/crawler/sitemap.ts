import { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createGunzip } from 'node:zlib';
import { SaxesParser } from 'saxes';

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

/**
 * Input handed to the XML parser between two turns of the event loop. A sitemap may be tens of
 * megabytes: parsed in one go it would hold up every other request of the crawl past its deadline.
 */
export const SITEMAP_SLICE_BYTES = 64 * 1024;

export interface SitemapParseOptions {
  /** The crawl's body cap, applied again after decompressing a gzipped sitemap. */
  maxBytes: number;
  /** Called after each slice, before yielding (tests count them). */
  onSlice?: () => void;
}

/** Sitemaps may be served gzipped without a Content-Encoding: recognise them by their magic bytes. */
function isGzip(body: Buffer): boolean {
  return body.length > 2 && body[0] === 0x1f && body[1] === 0x8b;
}

/**
 * The sitemap's bytes, decompressed as a stream when gzipped: a small "gzip bomb" that inflates to
 * gigabytes stops at `maxBytes`, having never held more than that.
 */
async function* slices(body: Buffer, maxBytes: number): AsyncGenerator<Buffer> {
  const source = Readable.from(
    Array.from({ length: Math.ceil(body.length / SITEMAP_SLICE_BYTES) }, (_, index) =>
      body.subarray(index * SITEMAP_SLICE_BYTES, (index + 1) * SITEMAP_SLICE_BYTES),
    ),
  );
  const stream = isGzip(body)
    ? source.pipe(createGunzip({ chunkSize: SITEMAP_SLICE_BYTES }))
    : source;
  let size = 0;
  try {
    for await (const slice of stream as AsyncIterable<Buffer>) {
      size += slice.length;
      if (size > maxBytes) throw new SitemapError(`more than ${maxBytes} bytes once decompressed`);
      yield slice;
    }
  } catch (error) {
    if (error instanceof SitemapError) throw error;
    throw new SitemapError(`not a valid gzip file: ${(error as Error).message}`);
  } finally {
    stream.destroy();
  }
}

/** The element name without its namespace prefix (`<sm:url>` is `url`). */
const localName = (name: string) => name.slice(name.indexOf(':') + 1);

/**
 * Parses a sitemap or sitemap index (sitemaps.org protocol) as a stream, yielding to the event
 * loop after each slice; anything else is a SitemapError. The parser is strict XML and expands no
 * entity a document declares (no XXE, no "billion laughs").
 */
export async function parseSitemap(body: Buffer, options: SitemapParseOptions): Promise<Sitemap> {
  const parser = new SaxesParser();
  const entries: SitemapEntry[] = [];
  let root: string | undefined;
  let entry: { loc?: string; lastmod?: string } | undefined;
  let field: 'loc' | 'lastmod' | undefined;
  let text = '';

  parser.on('opentag', (tag) => {
    const name = localName(tag.name);
    root ??= name;
    if (name === (root === 'sitemapindex' ? 'sitemap' : 'url')) entry = {};
    else if (entry && (name === 'loc' || name === 'lastmod')) {
      field = name;
      text = '';
    }
  });
  const onText = (value: string) => {
    if (field) text += value;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('closetag', (tag) => {
    const name = localName(tag.name);
    if (field && name === field && entry) {
      entry[field] = text.trim();
      field = undefined;
    } else if (entry && name === (root === 'sitemapindex' ? 'sitemap' : 'url')) {
      if (entry.loc) entries.push({ loc: entry.loc, lastmod: entry.lastmod || undefined });
      entry = undefined;
    }
  });

  const decoder = new StringDecoder('utf8');
  try {
    for await (const slice of slices(body, options.maxBytes)) {
      parser.write(decoder.write(slice));
      options.onSlice?.();
      await nextTurn();
    }
    parser.write(decoder.end());
    parser.close();
  } catch (error) {
    if (error instanceof SitemapError) throw error;
    throw new SitemapError(`not XML: ${(error as Error).message}`);
  }
  if (root === 'sitemapindex') return { kind: 'index', sitemaps: entries };
  if (root === 'urlset') return { kind: 'urlset', urls: entries };
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
