import { gzipSync } from 'node:zlib';
import { lastmodPredates, parseSitemap, SitemapError } from './sitemap';

describe('parseSitemap', () => {
  it('reads a urlset with lastmod, gzipped or not', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
      <urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
        <url><loc>https://example.com/a</loc><lastmod>2026-01-02</lastmod></url>
        <url><loc> https://example.com/b?x=1&amp;y=2 </loc></url>
      </urlset>`;
    const expected = {
      kind: 'urlset',
      urls: [
        { loc: 'https://example.com/a', lastmod: '2026-01-02' },
        { loc: 'https://example.com/b?x=1&y=2', lastmod: undefined },
      ],
    };
    expect(parseSitemap(Buffer.from(xml))).toEqual(expected);
    expect(parseSitemap(gzipSync(xml))).toEqual(expected);
  });

  it('reads a sitemap index', () => {
    const xml = `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>https://example.com/s1.xml.gz</loc></sitemap></sitemapindex>`;
    expect(parseSitemap(Buffer.from(xml))).toEqual({
      kind: 'index',
      sitemaps: [{ loc: 'https://example.com/s1.xml.gz', lastmod: undefined }],
    });
  });

  it('refuses what is not a sitemap', () => {
    expect(() => parseSitemap(Buffer.from('<html><body>Not found</body>'))).toThrow(SitemapError);
    expect(() => parseSitemap(Buffer.from('just text'))).toThrow(SitemapError);
    expect(() => parseSitemap(Buffer.from('<rss><channel/></rss>'))).toThrow(/neither/);
  });
});

describe('lastmodPredates', () => {
  const crawl = '2026-05-01T12:00:00.500Z';

  it('counts a lastmod as the whole day, minute or second it names', () => {
    expect(lastmodPredates('2026-04-30', crawl)).toBe(true);
    expect(lastmodPredates('2026-05-01', crawl)).toBe(false);
    expect(lastmodPredates('2026-05-01T11:59Z', crawl)).toBe(true);
    expect(lastmodPredates('2026-05-01T12:00Z', crawl)).toBe(false);
    expect(lastmodPredates('2026-05-01T11:59:59Z', crawl)).toBe(true);
    expect(lastmodPredates('2026-05-01T12:00:00Z', crawl)).toBe(false);
    expect(lastmodPredates('2026-05-01T12:00:00.499Z', crawl)).toBe(true);
  });

  it('never trusts a lastmod it cannot read', () => {
    expect(lastmodPredates('yesterday', crawl)).toBe(false);
  });
});
