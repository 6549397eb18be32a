/**
 * The Markdown subset that answers use — paragraphs, headings, lists, fenced code, emphasis, code
 * spans, links and citation markers — parsed into a small tree. The tree holds text only: it is
 * turned into DOM nodes with `textContent` and checked attributes (ui/markdown-view.ts), so no
 * answer can ever inject HTML. Raw HTML in an answer stays visible text, entities included.
 *
 * The parser is forgiving by design: answers arrive token by token, and an unclosed delimiter
 * simply stays literal until its closer arrives. It is hand-written rather than a library because
 * it must fit the widget's size budget, and it runs in linear time whatever the input: blocks here,
 * their inline text in markdown-inline.ts.
 */

import { type Inline, inlineText, MAX_DEPTH, parseInline } from './markdown-inline';

export { type Inline, safeHref } from './markdown-inline';

export type Block =
  | { type: 'paragraph' | 'heading'; children: Inline[] }
  | { type: 'code'; text: string }
  | { type: 'list'; ordered: boolean; start: number; items: Block[][] };

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const LIST_ITEM = /^( *)([-*+]|(\d{1,9})[.)])(?:[ \t]+(.*))?$/;
const BLANK = /^\s*$/;
const LINE_BREAK = /\r\n?|\n/;

/** While set, paragraphs and headings are found but their text is not parsed (StreamingMarkdown). */
let blocksOnly = false;

function inlineOf(source: string, depth: number): Inline[] {
  return blocksOnly ? [] : parseInline(source, depth);
}

export function parseMarkdown(markdown: string): Block[] {
  return parseBlocks(markdown.split(LINE_BREAK), 0);
}

/** The text a reader hears: block boundaries become line breaks, markup disappears. */
export function plainText(blocks: Block[]): string {
  return blocks.map(textOf).join('\n');
}

function textOf(block: Block): string {
  switch (block.type) {
    case 'code':
      return block.text;
    case 'list':
      return block.items.map(plainText).join('\n');
    default:
      return block.children.map(inlineText).join('');
  }
}

/** Inline text this long or shorter is parsed again on every frame while it streams. */
export const LIVE_PARSE_CHARS = 8000;

/**
 * An answer parsed as it streams in, with bounded work per update. A block is settled once the
 * block after it has started on a complete line: nothing appended can change it then, so it is
 * parsed once and kept. The rest (the block being written) is parsed again on each update while
 * it is at most LIVE_PARSE_CHARS long; a longer one is left as text (`rest`) until it settles or
 * the answer ends, so a huge paragraph costs one parse, not one per frame, and its blocks are
 * looked for again only as it grows by an eighth.
 */
export class StreamingMarkdown {
  /** Blocks no later text can change, in order; `update` appends to it. */
  readonly settled: Block[] = [];
  /** The blocks after the settled ones, or undefined while they are too long to re-parse. */
  tail: Block[] | undefined = [];
  /** The text after the settled blocks. */
  rest = '';
  #offset = 0;
  /** Length of the rest when it was last split into blocks, while it is too long to parse. */
  #scanned = 0;

  /** Takes the whole answer so far (it only ever grows); returns the blocks that settled. */
  update(text: string, ended = false): Block[] {
    const rest = (this.rest = text.slice(this.#offset));
    // A long tail is split into blocks again only once it has grown by an eighth: looking for
    // blocks that settled costs a pass over it, and this keeps the passes linear in all.
    if (!ended && this.tail === undefined && rest.length < this.#scanned * 1.125) return [];
    this.#scanned = rest.length;
    const lines = rest.split(LINE_BREAK);
    const starts: number[] = [];
    blocksOnly = true;
    parseBlocks(lines, 0, starts);
    blocksOnly = false;
    // The last line may still grow: a block followed by one starting before it is settled.
    let settledLines = 0;
    for (const start of starts) if (start > 0 && start < lines.length - 1) settledLines = start;
    if (ended) settledLines = lines.length;
    const fresh = parseBlocks(lines.slice(0, settledLines), 0);
    this.settled.push(...fresh);
    // The settled lines' characters, with their original line breaks.
    const consumed = ended
      ? rest.length
      : (new RegExp(`^(?:.*(?:\\r\\n?|\\n)){${settledLines}}`).exec(rest)?.[0].length ?? 0);
    this.#offset += consumed;
    this.rest = rest.slice(consumed);
    this.tail =
      this.rest.length <= LIVE_PARSE_CHARS ? parseBlocks(lines.slice(settledLines), 0) : undefined;
    return fresh;
  }
}

/**
 * Splits lines into blocks. `starts`, when given, receives the line where each top-level block
 * begins (StreamingMarkdown reads which blocks are settled from it).
 */
function parseBlocks(lines: string[], depth: number, starts?: number[]): Block[] {
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  const endParagraph = () => {
    if (paragraph.length === 0) return;
    const text = paragraph.map((line) => line.trim()).join('\n');
    blocks.push({ type: 'paragraph', children: inlineOf(text, depth) });
    paragraph = [];
  };

  for (let index = 0; index < lines.length;) {
    const line = lines[index] ?? '';
    const fence = FENCE.exec(line);
    const heading = headingText(line);
    const list = !fence && heading === undefined && depth < MAX_DEPTH && LIST_ITEM.test(line);
    if (BLANK.test(line)) {
      endParagraph();
      index += 1;
      continue;
    }
    // A fence, a heading or a list ends a paragraph; each begins a block, as a paragraph does.
    if (fence || heading !== undefined || list) endParagraph();
    if (paragraph.length === 0) starts?.push(index);
    if (fence) {
      const marker = fence[1] ?? '```';
      const closing = new RegExp(`^ {0,3}${marker[0] === '`' ? '`' : '~'}{${marker.length},}\\s*$`);
      const code: string[] = [];
      // An unclosed fence runs to the end, as a streaming answer's code block does for a while.
      for (index += 1; index < lines.length && !closing.test(lines[index] ?? ''); index += 1) {
        code.push(lines[index] ?? '');
      }
      blocks.push({ type: 'code', text: code.join('\n') });
      index += 1;
    } else if (heading !== undefined) {
      blocks.push({ type: 'heading', children: inlineOf(heading, depth) });
      index += 1;
    } else if (list) {
      const parsed = parseList(lines, index, depth);
      blocks.push(parsed.block);
      index = parsed.next;
    } else {
      paragraph.push(line);
      index += 1;
    }
  }
  endParagraph();
  return blocks;
}

/**
 * An ATX heading's text. Every pattern here runs in linear time: the usual single pattern
 * backtracks over a long run of spaces. Closing `#`s count only after a space (`## C#` stays).
 */
function headingText(line: string): string | undefined {
  return /^ {0,3}#{1,6}\s+(.*)/
    .exec(line)?.[1]
    ?.replace(/(^|\s)#+\s*$/, '')
    .trim();
}

interface ListMarker {
  indent: number;
  ordered: boolean;
  number: number;
  /** Column where the item's content starts; continuation lines are indented to about here. */
  contentColumn: number;
  content: string;
}

function listMarker(line: string): ListMarker | undefined {
  const match = LIST_ITEM.exec(line);
  if (!match) return undefined;
  const [, spaces = '', marker = '', digits, content = ''] = match;
  const gap = line.length - spaces.length - marker.length - content.length;
  return {
    indent: spaces.length,
    ordered: digits !== undefined,
    number: digits === undefined ? 1 : Number(digits),
    contentColumn: spaces.length + marker.length + Math.min(Math.max(gap, 1), 4),
    content,
  };
}

function parseList(lines: string[], start: number, depth: number): { block: Block; next: number } {
  const first = listMarker(lines[start] ?? '') as ListMarker;
  const items: string[][] = [];
  let contentColumn = first.contentColumn;
  // The first non-blank line after a run of blank lines, found once per run.
  let nextFilled = -1;
  let index = start;
  for (; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    const marker = listMarker(line);
    const indent = line.length - line.trimStart().length;
    const current = items.at(-1);
    if (marker && marker.indent <= first.indent + 1 && marker.ordered === first.ordered) {
      items.push([marker.content]);
      contentColumn = marker.contentColumn;
    } else if (!current || (marker && marker.indent <= first.indent + 1)) {
      break;
    } else if (BLANK.test(line)) {
      // A blank line belongs to the list only if the list goes on after it.
      if (nextFilled <= index) {
        nextFilled = index + 1;
        while (nextFilled < lines.length && BLANK.test(lines[nextFilled] ?? '')) nextFilled += 1;
      }
      const nextLine = lines[nextFilled];
      const nextMarker = nextLine === undefined ? undefined : listMarker(nextLine);
      const nextIndent = nextLine === undefined ? 0 : nextLine.length - nextLine.trimStart().length;
      const continues =
        nextLine !== undefined &&
        (nextIndent >= contentColumn ||
          (nextMarker?.indent === first.indent && nextMarker.ordered === first.ordered));
      if (!continues) break;
      current.push('');
    } else if (indent > first.indent) {
      current.push(line.slice(Math.min(indent, contentColumn)));
    } else if (
      !BLANK.test(current.at(-1) ?? '') &&
      !FENCE.test(line) &&
      headingText(line) === undefined
    ) {
      // A lazy continuation line: the item's paragraph goes on without indentation.
      current.push(line);
    } else {
      break;
    }
  }
  return {
    block: {
      type: 'list',
      ordered: first.ordered,
      start: first.number,
      items: items.map((itemLines) => parseBlocks(itemLines, depth + 1)),
    },
    next: index,
  };
}
