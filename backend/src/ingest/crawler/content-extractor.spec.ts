import { extractContent } from './content-extractor';
import { minimalPdf } from '../../../test/support/minimal-pdf';

const page = (contentType: string | undefined, body: Buffer | string, extra = {}) => ({
  url: 'https://example.com/files/guide',
  headers: { ...(contentType ? { 'content-type': contentType } : {}), ...extra },
  body: Buffer.isBuffer(body) ? body : Buffer.from(body),
});

describe('extractContent', () => {
  it('extracts main content, title, language and canonical from HTML', async () => {
    const html = `<html lang="en-GB"><head><title>Shipping</title>
      <link rel="canonical" href="https://example.com/shipping"></head><body>
      <nav><a href="/">Home</a></nav>
      <div id="cookie-consent">We use cookies. Accept?</div>
      <main><h1>Shipping</h1><p>Parcels leave our warehouse within two working days.</p>
      <h2>Returns</h2><p>Returns are free for thirty days. <a href="/returns?utm_source=x#top">More</a></p>
      <p hidden>Internal note</p><script>track()</script></main>
      <footer>© Example Ltd</footer></body></html>`;
    const result = await extractContent(page('text/html; charset=utf-8', html));
    if (result.kind !== 'page') throw new Error(result.detail);
    expect(result.page).toMatchObject({
      title: 'Shipping',
      language: 'en',
      canonical: 'https://example.com/shipping',
      noindex: false,
    });
    expect(result.page.markdown).toContain('## Returns');
    expect(result.page.markdown).toContain('Parcels leave our warehouse');
    expect(result.page.markdown).not.toMatch(/cookies|Internal note|track\(\)|Example Ltd/);
    expect(result.page.links).toEqual(['https://example.com/', 'https://example.com/returns']);
  });

  it('obeys noindex and nofollow from meta tags and X-Robots-Tag', async () => {
    const meta = await extractContent(
      page('text/html', '<meta name="robots" content="noindex"><a href="/a">a</a><p>x</p>'),
    );
    expect(meta).toMatchObject({ kind: 'page', page: { noindex: true, nofollow: false } });
    const header = await extractContent(
      page('text/html', '<a href="/a">a</a>', { 'x-robots-tag': 'LoreChat: nofollow' }),
    );
    expect(header).toMatchObject({ kind: 'page', page: { nofollow: true, links: [] } });
    const otherBot = await extractContent(
      page('text/html', '<p>x</p>', { 'x-robots-tag': 'otherbot: noindex' }),
    );
    expect(otherBot).toMatchObject({ kind: 'page', page: { noindex: false } });
  });

  it('keeps what it can of malformed HTML', async () => {
    const result = await extractContent(
      page('text/html', '<html><body><div><p>Unclosed <b>bold <i>text</div></p><h2>Still here'),
    );
    expect(result).toMatchObject({ kind: 'page' });
    if (result.kind === 'page') expect(result.page.markdown).toContain('Unclosed bold text');
  });

  it('reads Markdown and plain text as they are', async () => {
    const markdown = await extractContent(page('text/markdown', '# Guide\n\nHello.'));
    expect(markdown).toMatchObject({ kind: 'page', page: { title: 'Guide' } });
    const text = await extractContent(page('text/plain', 'Plain words.'));
    expect(text).toMatchObject({
      kind: 'page',
      page: { title: 'guide', markdown: 'Plain words.' },
    });
  });

  it('extracts the text of a PDF and reports one that fails to parse', async () => {
    const pdf = await extractContent(
      page('application/pdf', minimalPdf('Warranty lasts two years')),
    );
    expect(pdf).toMatchObject({ kind: 'page' });
    if (pdf.kind === 'page') expect(pdf.page.markdown).toContain('Warranty lasts two years');
    const broken = await extractContent(page('application/pdf', '%PDF-1.4 this is not a PDF'));
    expect(broken).toMatchObject({ kind: 'skip', reason: 'parse error' });
  });

  it('skips other content types, naming them', async () => {
    expect(await extractContent(page('image/png', 'png'))).toEqual({
      kind: 'skip',
      reason: 'content type',
      detail: 'image/png',
    });
  });
});
