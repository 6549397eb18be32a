import { readFile } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { type NextFunction, type Request, type Response } from 'express';
import MarkdownIt from 'markdown-it';
import { markdownTitle, slugify } from '../ingest/markdown-chunker';

/**
 * The bundled docs as web pages. Raw HTML in the Markdown is not rendered (only Markdown is), so a
 * doc can never put script on this origin. Headings get the anchor the index cites them by: the
 * chunker's own `slugify`, not a plugin's, whose slugs (and de-duplication suffixes) could differ
 * and leave cited anchors dangling.
 */
const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });
markdown.core.ruler.push('heading_anchors', (state) => {
  state.tokens.forEach((token, index) => {
    const inline = state.tokens[index + 1];
    if (token.type === 'heading_open' && inline?.type === 'inline') {
      token.attrSet('id', slugify(inline.content));
    }
  });
});

/** The pages' one inline stylesheet, allowed by its hash in the Content-Security-Policy. */
export const DOCS_PAGE_STYLE = [
  'body{font:16px/1.6 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1f2328;background:#fff}',
  'pre,code{font:14px ui-monospace,monospace;background:#f6f8fa;border-radius:4px}pre{padding:.8rem;overflow:auto}code{padding:.1rem .3rem}pre code{padding:0}',
  'table{border-collapse:collapse}th,td{border:1px solid #d0d7de;padding:.3rem .6rem;text-align:left}',
  'img{max-width:100%}:target{background:#fff8c5}',
  '@media (prefers-color-scheme:dark){body{color:#e6edf3;background:#0d1117}pre,code{background:#161b22}th,td{border-color:#30363d}a{color:#4493f8}:target{background:#3b2e00}}',
].join('\n');

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);

/** A doc rendered as a complete, self-contained HTML page. */
export function renderDocPage(source: string, fallbackTitle: string): string {
  const title = escapeHtml(markdownTitle(source) ?? fallbackTitle);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · LoreChat docs</title>
<style>${DOCS_PAGE_STYLE}</style>
</head>
<body>
<main>
${markdown.render(source)}</main>
</body>
</html>
`;
}

/**
 * Serves `dir`'s Markdown files as rendered pages, at their path under the route the middleware is
 * mounted on; other files (images) are left to the static files after it. The security headers
 * (a CSP without inline script, allowing `DOCS_PAGE_STYLE` by its hash) are set before, for every
 * response (http/security-headers.ts).
 */
export function docsPages(dir: string) {
  const root = resolve(dir);
  return (request: Request, response: Response, next: NextFunction): void => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return next();
    let path: string;
    try {
      path = decodeURIComponent(request.path);
    } catch {
      return next();
    }
    if (!/\.(md|markdown)$/i.test(path)) return next();
    const file = resolve(root, `.${path}`);
    // Never outside the docs folder, whatever `..` the path holds.
    if (!file.startsWith(`${root}${sep}`)) return next();
    readFile(file, 'utf8').then(
      (source) => {
        const name = path.split('/').pop() ?? path;
        response
          .status(200)
          .set({
            'Content-Type': 'text/html; charset=utf-8',
            'Cache-Control': 'public, max-age=300',
          })
          .send(renderDocPage(source, name));
      },
      () => next(),
    );
  };
}
