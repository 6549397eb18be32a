/*
 * The few DOM members the conversion uses. The backend compiles without the DOM library (it runs in
 * Node), so linkedom's nodes are described here rather than typed as browser nodes.
 */
export interface DomNode {
  nodeType: number;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
}
export interface DomElement extends DomNode {
  tagName: string;
  id: string;
  className: string;
  children: ArrayLike<DomElement>;
  getAttribute(name: string): string | null;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
  closest(selector: string): DomElement | null;
  remove(): void;
}

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

export const collapse = (text: string | null | undefined): string =>
  (text ?? '').replace(/\s+/g, ' ').trim();

const BLOCKS = new Set([
  'p',
  'div',
  'section',
  'article',
  'main',
  'blockquote',
  'ul',
  'ol',
  'dl',
  'dt',
  'dd',
  'table',
  'tr',
  'figure',
  'figcaption',
  'details',
  'summary',
  'address',
  'hr',
  'li',
  'pre',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
]);

const tagOf = (element: DomElement) => element.tagName.toLowerCase();
const isElement = (node: DomNode): node is DomElement => node.nodeType === ELEMENT_NODE;

function hasBlockInside(element: DomElement): boolean {
  return Array.from(element.querySelectorAll('*')).some((inner) => BLOCKS.has(tagOf(inner)));
}

/** An http(s) link resolved against the page, with its fragment; undefined for other schemes. */
function absoluteLink(href: string, baseUrl: string): string | undefined {
  try {
    const url = new URL(href.trim(), baseUrl);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** Markdown's link text must not end early; its destination must not break on spaces or `)`. */
const linkText = (text: string) => text.replace(/([[\]\\])/g, '\\$1');
const linkDestination = (url: string) => url.replace(/[\s()<>]/g, encodeURIComponent);

/** Inline code, fenced with more backticks than it contains. */
function inlineCode(code: string): string {
  const longest = Math.max(0, ...(code.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  return longest > 0 ? `${fence} ${code} ${fence}` : `${fence}${code}${fence}`;
}

/**
 * Turns a page's content element into Markdown that the heading-aware chunker and the answerers
 * understand: `#` headings carrying the page's own anchor (`## Prices {#rates}`), paragraphs, `-`
 * and numbered list items (an ordered list keeps its numbers), code blocks, inline code, links
 * (absolute, so a quoted passage still links where the page did), and table rows labelled with
 * their column headers (see `tableRows`).
 */
export function elementToMarkdown(root: DomNode, baseUrl: string): string {
  const blocks: string[] = [];
  let line = '';
  const flush = () => {
    const text = collapse(line);
    if (text) blocks.push(text);
    line = '';
  };

  /** The element's content as one line of inline Markdown. */
  const inline = (node: DomNode): string => {
    if (node.nodeType === TEXT_NODE) return node.textContent ?? '';
    if (!isElement(node)) return '';
    const tag = tagOf(node);
    if (tag === 'br') return ' ';
    const inner = () => Array.from(node.childNodes).map(inline).join('');
    if (tag === 'code' || tag === 'kbd' || tag === 'samp') {
      const code = collapse(node.textContent);
      return code ? inlineCode(code) : '';
    }
    if (tag === 'a') {
      const text = collapse(inner());
      const href = node.getAttribute('href') ?? '';
      const url = href.startsWith('#') ? undefined : absoluteLink(href, baseUrl);
      // Same-page anchors, mailto: and tel: show their text, which is the address itself.
      if (!text || !url) return text;
      return `[${linkText(text)}](${linkDestination(url)})`;
    }
    const spaced = BLOCKS.has(tag) || tag === 'td' || tag === 'th';
    return spaced ? ` ${inner()} ` : inner();
  };

  const walk = (node: DomNode): void => {
    if (node.nodeType === TEXT_NODE) {
      line += node.textContent ?? '';
      return;
    }
    if (!isElement(node)) return;
    const element = node;
    const tag = tagOf(element);
    const heading = /^h([1-6])$/.exec(tag);
    if (heading) {
      flush();
      const text = collapse(inline(element));
      const anchor = element.id || element.querySelector('[id]')?.id || '';
      const attribute = /^[\w:.-]+$/.test(anchor) ? ` {#${anchor}}` : '';
      if (text) blocks.push(`${'#'.repeat(Number(heading[1]))} ${text}${attribute}`);
      return;
    }
    if (tag === 'pre') {
      flush();
      const code = (element.textContent ?? '').replace(/\s+$/, '');
      const language = /\blang(?:uage)?-([\w+-]+)/.exec(
        `${element.className} ${element.querySelector('code')?.className ?? ''}`,
      )?.[1];
      if (code.trim()) blocks.push(`\`\`\`${language ?? ''}\n${code}\n\`\`\``);
      return;
    }
    if (tag === 'table') {
      flush();
      blocks.push(...tableRows(element, (cell) => collapse(inline(cell))));
      return;
    }
    if (tag === 'br') return flush();
    if ((tag === 'a' || tag === 'code' || tag === 'kbd') && !hasBlockInside(element)) {
      line += inline(element);
      return;
    }
    if (tag === 'li') {
      flush();
      const first = blocks.length;
      Array.from(element.childNodes).forEach(walk);
      flush();
      if (blocks.length > first) blocks[first] = `${listMarker(element)} ${blocks[first] ?? ''}`;
      return;
    }
    if (tag === 'dt' || tag === 'dd') {
      flush();
      const text = collapse(inline(element));
      if (!text) return;
      const term = tag === 'dd' ? previousTerm(element) : undefined;
      // A term and its definition are one fact ("Minimum age: 12 years"), unless the term is a
      // question, as in a FAQ, whose answer reads better as its own paragraph.
      if (term !== undefined && !term.endsWith('?')) {
        const index = blocks.lastIndexOf(term);
        if (index >= 0) blocks.splice(index, 1);
        blocks.push(`- ${term}: ${text}`);
      } else blocks.push(text);
      return;
    }
    const block = BLOCKS.has(tag);
    if (block) flush();
    Array.from(element.childNodes).forEach(walk);
    if (block) flush();
  };
  const previousTerm = (definition: DomElement): string | undefined => {
    const siblings = Array.from(definition.closest('dl')?.children ?? []);
    const at = siblings.indexOf(definition);
    const before = siblings[at - 1];
    return before && tagOf(before) === 'dt' ? collapse(inline(before)) : undefined;
  };
  walk(root);
  flush();
  return blocks.join('\n\n');
}

/** `-` for a bulleted item; its number for an ordered list's, from the list's `start`. */
function listMarker(item: DomElement): string {
  const list = item.closest('ol, ul');
  if (!list || tagOf(list) !== 'ol') return '-';
  const start = Number.parseInt(list.getAttribute('start') ?? '1', 10);
  const items = Array.from(list.children).filter((child) => tagOf(child) === 'li');
  return `${(Number.isFinite(start) ? start : 1) + items.indexOf(item)}.`;
}

/**
 * A table as one list item per row, each cell labelled with its column header: "Sunset Paddle:
 * Adult $72, Child (under 16) $45". A row read alone (a quoted answer, a chunk cut from its table)
 * still says what each number is, which a Markdown table row (`| $72 | $45 |`) does not. The first
 * cell names the row. Two-column tables (day → hours) need no labels: "Monday: 8 am – 5 pm".
 */
export function tableRows(table: DomElement, render: (cell: DomElement) => string): string[] {
  const rows = Array.from(table.querySelectorAll('tr')).filter(
    (row) => row.closest('table') === table,
  );
  const cellsOf = (row: DomElement) =>
    Array.from(row.children)
      .filter((cell) => tagOf(cell) === 'td' || tagOf(cell) === 'th')
      .flatMap((cell) => {
        const span = Math.min(Math.max(Number(cell.getAttribute('colspan')) || 1, 1), 20);
        const text = render(cell);
        return Array.from({ length: span }, () => ({ text, header: tagOf(cell) === 'th' }));
      });
  const isHeaderRow = (row: DomElement, index: number) => {
    if (row.closest('thead')) return true;
    const cells = cellsOf(row);
    return index === 0 && cells.length > 1 && cells.every((cell) => cell.header);
  };
  let header: string[] = [];
  const blocks: string[] = [];
  const caption = collapse(table.querySelector('caption')?.textContent);
  if (caption) blocks.push(caption);
  rows.forEach((row, index) => {
    const cells = cellsOf(row).map((cell) => cell.text);
    if (isHeaderRow(row, index)) {
      header = cells;
      return;
    }
    const [label = '', ...values] = cells;
    if (cells.every((cell) => cell === '')) return;
    if (values.every((value) => value === '')) {
      if (label) blocks.push(`- ${label}`);
      return;
    }
    const labelled = values
      .map((value, column) => {
        const name = cells.length > 2 ? (header[column + 1] ?? '') : '';
        return value === '' ? '' : name && name !== value ? `${name} ${value}` : value;
      })
      .filter(Boolean);
    const separator = labelled.some((value) => value.includes(',')) ? '; ' : ', ';
    blocks.push(`- ${label ? `${label}: ` : ''}${labelled.join(separator)}`);
  });
  return blocks;
}
