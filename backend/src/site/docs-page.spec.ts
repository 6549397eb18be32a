import { slugify } from '../ingest/markdown-chunker';
import { renderDocPage } from './docs-page';

describe('renderDocPage', () => {
  it('gives each heading the anchor the index cites it by', () => {
    const heading = "What's new in v3.2 — and why?";
    const html = renderDocPage(`# Guide\n\n## ${heading}\n\nText.`, 'guide.md');
    expect(html).toContain(`<h2 id="${slugify(heading)}">`);
    expect(html).toContain('<title>Guide · LoreChat docs</title>');
  });

  it('shows raw HTML in a doc as text, never as markup', () => {
    const html = renderDocPage(
      '# T\n\n<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n[x](javascript:alert(1))',
      't.md',
    );
    expect(html).not.toMatch(/<script>|<img src=x|href="javascript:/);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('escapes the title', () => {
    expect(renderDocPage('no heading', '<b>.md')).toContain(
      '<title>&#60;b&#62;.md · LoreChat docs</title>',
    );
  });
});
