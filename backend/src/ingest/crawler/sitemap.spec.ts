import { gzipSync } from 'node:zlib';
import { lastmodPredates, parseSitemap, SITEMAP_SLICE_BYTES, SitemapError } from './sitemap';

const MB = 1024 * 1024;
const parse = (body: Buffer | string, maxBytes = 10 * MB) =>
  parseSitemap(typeof body === 'string' ? Buffer.from(body) : body, { maxBytes });

/** A urlset of `count` URLs, as big as a real large site's sitemap. */
function urlset(count: number): string {
  const urls = Array.from(
    { length: count },
    (_, index) =>
      `<url><loc>https://example.com/page/${index}</loc><lastmod>2026-01-02</lastmod></url>`,
  );
  return `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">${urls.join('')}</urlset>`;
}

describe('parseSitemap', () => {
  it('reads a urlset with lastmod, gzipped or not', async () => {
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
    expect(await parse(xml)).toEqual(expected);
    expect(await parse(gzipSync(xml))).toEqual(expected);
  });

  it('reads a sitemap index, and namespace prefixes and CDATA', async () => {
    const xml = `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sitemap><loc>https://example.com/s1.xml.gz</loc></sitemap></sitemapindex>`;
    expect(await parse(xml)).toEqual({
      kind: 'index',
      sitemaps: [{ loc: 'https://example.com/s1.xml.gz', lastmod: undefined }],
    });
    const prefixed = `<sm:urlset xmlns:sm="http://www.sitemaps.org/schemas/sitemap/0.9">
      <sm:url><sm:loc><![CDATA[https://example.com/a?b=1&c=2]]></sm:loc></sm:url></sm:urlset>`;
    expect(await parse(prefixed)).toEqual({
      kind: 'urlset',
      urls: [{ loc: 'https://example.com/a?b=1&c=2', lastmod: undefined }],
    });
  });

  it('refuses what is not a sitemap', async () => {
    await expect(parse('<html><body>Not found</body>')).rejects.toThrow(SitemapError);
    await expect(parse('just text')).rejects.toThrow(SitemapError);
    await expect(parse('<rss><channel/></rss>')).rejects.toThrow(/neither/);
    await expect(parse(Buffer.from([0x1f, 0x8b, 1, 2, 3]))).rejects.toThrow(/not a valid gzip/);
  });

  it('expands no entity the document declares (no XXE, no billion laughs)', async () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY x SYSTEM "file:///etc/passwd">]>
      <urlset><url><loc>https://example.com/&x;</loc></url></urlset>`;
    await expect(parse(xxe)).rejects.toThrow(SitemapError);
    const laughs = `<?xml version="1.0"?><!DOCTYPE urlset [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;">]>
      <urlset><url><loc>https://example.com/&b;</loc></url></urlset>`;
    await expect(parse(laughs)).rejects.toThrow(SitemapError);
  });

  // Regression (issue 19, finding 4): gunzipSync inflated a 1 MB body to gigabytes, uncapped.
  it('stops decompressing a gzip bomb at the byte cap', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * MB, ' '), { level: 9 });
    expect(bomb.length).toBeLessThan(MB);
    await expect(parse(bomb, 10 * MB)).rejects.toThrow(
      /more than 10485760 bytes once decompressed/,
    );
  });

  // Regression (issue 19, finding 6): a large sitemap was parsed in one turn of the event loop,
  // starving the crawl's other requests into false timeouts.
  it('yields to the event loop after every slice of a large sitemap', async () => {
    const xml = urlset(60_000);
    let turns = 0;
    let parsing = true;
    const tick = () => {
      turns += 1;
      if (parsing) setImmediate(tick);
    };
    setImmediate(tick);
    const sitemap = await parse(gzipSync(xml));
    parsing = false;
    expect(sitemap.kind === 'urlset' && sitemap.urls).toHaveLength(60_000);
    // Other work ran at least once per slice of the decompressed sitemap.
    expect(turns).toBeGreaterThanOrEqual(Math.floor(xml.length / SITEMAP_SLICE_BYTES));
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
