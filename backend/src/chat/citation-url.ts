import { BUNDLED_DOCS_ORIGIN, DOCS_ROUTE } from '../common/bundled-docs';

/** Words of the passage a text fragment looks for: enough to be unique on a page, short enough to match. */
const FRAGMENT_WORDS = 8;

/**
 * The link a visitor follows for a passage, built when the answer is served rather than frozen in
 * the index: the bundled docs under PUBLIC_URL as it is now, and a passage whose section has no
 * anchor of its own linked with a text fragment (`#:~:text=`), which browsers that support it
 * scroll to and highlight, and others ignore.
 */
export function citationUrl(indexedUrl: string, passage: string, publicUrl: string): string {
  const url = servedUrl(indexedUrl, publicUrl);
  if (url.includes('#')) return url;
  const fragment = textFragment(passage);
  return fragment ? `${url}#:~:text=${fragment}` : url;
}

/** The address visitors reach an indexed page at: the bundled docs under PUBLIC_URL as it is now. */
export function servedUrl(indexedUrl: string, publicUrl: string): string {
  return indexedUrl.startsWith(`${BUNDLED_DOCS_ORIGIN}/`)
    ? `${publicUrl.replace(/\/+$/, '')}${indexedUrl.slice(BUNDLED_DOCS_ORIGIN.length)}`
    : indexedUrl;
}

/**
 * The address a page is indexed under, from the address visitors reach it at: `servedUrl` undone,
 * so a question asked on a bundled docs page is matched with that page's passages.
 */
export function indexedUrlOf(pageUrl: string, publicUrl: string): string {
  const base = publicUrl.replace(/\/+$/, '');
  return pageUrl.startsWith(`${base}${DOCS_ROUTE}/`)
    ? `${BUNDLED_DOCS_ORIGIN}${pageUrl.slice(base.length)}`
    : pageUrl;
}

/**
 * A text fragment directive's text for a passage: the first words of its first paragraph, as the
 * page shows them (Markdown marks, list markers and link targets removed), percent-encoded with
 * the characters the directive reserves (`-`, `,`, `&`). Undefined when the passage starts with
 * nothing a page would show as prose.
 */
export function textFragment(markdown: string): string | undefined {
  const blocks = markdown.split(/\n{2,}/).map((block) => block.trim());
  // Table rows are written "Label: Header value", which the page never shows in a row: skip lists.
  const prose = blocks.find(
    (block) => block !== '' && !/^(?:[-*+]\s|\d+[.)]\s|```|~~~|\||#)/.test(block),
  );
  if (!prose) return undefined;
  const plain = prose
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_`]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  const words = plain
    .split(' ')
    .slice(0, FRAGMENT_WORDS)
    .join(' ')
    .replace(/[.,;:!?]+$/, '');
  if (words.length < 3) return undefined;
  return encodeURIComponent(words).replace(/-/g, '%2D');
}
