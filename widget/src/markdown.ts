/**
 * The Markdown subset that answers use — paragraphs, headings, lists, fenced code, emphasis, code
 * spans, links and citation markers — parsed into a small tree. The tree holds text only: it is
 * turned into DOM nodes with `textContent` and checked attributes (ui/markdown-view.ts), so no
 * answer can ever inject HTML. Raw HTML in an answer stays visible text, entities included.
 *
 * The parser is forgiving by design: answers arrive token by token, and an unclosed delimiter
 * simply stays literal until its closer arrives. It is hand-written rather than a library because
 * it must fit the widget's size budget, and it runs in linear time whatever the input: brackets,
 * parentheses and backtick runs are matched in one pass each, and a delimiter known to have no
 * closer is never searched for again.
 */

export type Inline =
  | { type: 'text'; text: string }
  | { type: 'code'; text: string }
  | { type: 'strong' | 'emphasis'; children: Inline[] }
  | { type: 'link'; href: string; children: Inline[] }
  /** `[n]`: refers to the n-th source of the answer. */
  | { type: 'citation'; number: number }
  | { type: 'break' };

export type Block =
  | { type: 'paragraph' | 'heading'; children: Inline[] }
  | { type: 'code'; text: string }
  | { type: 'list'; ordered: boolean; start: number; items: Block[][] };

/** Nesting deeper than this is shown as text: hostile input must not cost deep recursion. */
const MAX_DEPTH = 8;

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
const LIST_ITEM = /^( *)([-*+]|(\d{1,9})[.)])(?:[ \t]+(.*))?$/;
const BLANK = /^\s*$/;
const LINE_BREAK = /\r\n?|\n/;

/** While set, paragraphs and headings are found but their text is not parsed (StreamingMarkdown). */
let blocksOnly = false;

export function parseMarkdown(markdown: string): Block[] {
  return parseBlocks(markdown.split(LINE_BREAK), 0);
}

/** Only links a visitor can safely follow; anything else (javascript:, data:, relative) is dropped. */
export function safeHref(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    return /^(https?|mailto):$/.test(url.protocol) ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** The text a reader hears: block boundaries become line breaks, markup disappears. */
export function plainText(blocks: Block[]): string {
  return blocks.map(textOf).join('\n');
}

function textOf(node: Block | Inline): string {
  switch (node.type) {
    case 'text':
    case 'code':
      return node.text;
    case 'break':
      return '\n';
    case 'citation':
      return `[${node.number}]`;
    case 'list':
      return node.items.map(plainText).join('\n');
    default:
      return node.children.map(textOf).join('');
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
    blocks.push({ type: 'paragraph', children: parseInline(text, depth) });
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
      blocks.push({ type: 'heading', children: parseInline(heading, depth) });
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

const ESCAPABLE = /[\\`*_{}[\]()<>#+\-.!|~]/;
const CITATION = /^\[(\d{1,3})\]/;
const AUTOLINK = /^<((?:https?:\/\/|mailto:)[^\s<>]+)/i;
const BARE_URL = /^https?:\/\/[^\s<>]+/i;
const RUN = /^(\*+|_+|`+)/;
const WORD = /[\p{L}\p{N}]/u;

/**
 * For each opening character, the index of its closer, in one pass with a stack: `[` and `]`
 * across the text, `(` and `)` within a run without spaces (as link destinations are), and each
 * backtick run's next run of the same length; a backslash escapes the character after it.
 */
function closers(source: string): [bracket: number[], paren: number[], code: number[]] {
  const bracket: number[] = [];
  const paren: number[] = [];
  const code: number[] = [];
  const brackets: number[] = [];
  let parens: number[] = [];
  const runs = new Map<number, number>();
  for (let index = 0; index < source.length; index += 1) {
    const char = source.charAt(index);
    if (char === '\\') index += 1;
    else if (char === '[') brackets.push(index);
    else if (char === ']') {
      const open = brackets.pop();
      if (open !== undefined) bracket[open] = index;
    } else if (char === '(') parens.push(index);
    else if (char === ')') {
      const open = parens.pop();
      if (open !== undefined) paren[open] = index;
    } else if (/\s/.test(char)) parens = [];
    else if (char === '`') {
      let end = index;
      while (source.charAt(end + 1) === '`') end += 1;
      // Each run's closer is the next run of its length, whatever became of the runs between.
      const previous = runs.get(end - index);
      if (previous !== undefined) code[previous] = index;
      runs.set(end - index, index);
      index = end;
    }
  }
  return [bracket, paren, code];
}

/** Parses inline Markdown. `depth` bounds nesting; `inLink` stops links inside link text. */
function parseInline(source: string, depth: number, inLink = false): Inline[] {
  if (blocksOnly) return [];
  const nodes: Inline[] = [];
  let text = '';
  const pushText = () => {
    if (text) nodes.push({ type: 'text', text });
    text = '';
  };
  const push = (node: Inline) => {
    pushText();
    nodes.push(node);
  };
  const [bracketCloser, parenCloser, codeCloser] = closers(source);
  // Delimiters known to have no closer after some point: later searches would fail too.
  const unclosed = new Set<string>();
  // A bare URL that failed to parse: no other may start inside its run of non-spaces.
  let noUrlBefore = 0;

  for (let index = 0; index < source.length;) {
    const char = source.charAt(index);
    const next = source.charAt(index + 1);
    // A view of the text from here (V8 makes it without copying).
    const rest = source.slice(index);

    if (char === '\\' && ESCAPABLE.test(next)) {
      text += next;
      index += 2;
      continue;
    }
    if (char === '\n') {
      push({ type: 'break' });
      index += 1;
      continue;
    }
    if (char === '`') {
      const run = RUN.exec(rest)?.[0] ?? '`';
      const end = codeCloser[index];
      if (end === undefined) {
        text += run;
      } else {
        const code = source.slice(index + run.length, end).replace(/\n/g, ' ');
        const padded = code.length > 2 && code.startsWith(' ') && code.endsWith(' ');
        push({ type: 'code', text: padded ? code.slice(1, -1) : code });
        index = end;
      }
      index += run.length;
      continue;
    }
    if (char === '[') {
      const citation = CITATION.exec(rest);
      if (citation) {
        push({ type: 'citation', number: Number(citation[1]) });
        index += citation[0].length;
        continue;
      }
      const labelEnd = bracketCloser[index];
      const destinationEnd = labelEnd === undefined ? undefined : parenCloser[labelEnd + 1];
      if (!inLink && depth < MAX_DEPTH && labelEnd !== undefined && destinationEnd !== undefined) {
        const label = source.slice(index + 1, labelEnd);
        const children = parseInline(label, depth + 1, true);
        const href = safeHref(source.slice(labelEnd + 2, destinationEnd));
        // An unsafe link keeps its text and loses its address; one whose text is another
        // address than its own shows where it really goes.
        if (href) push({ type: 'link', href, children: honestLabel(children, href) });
        else children.forEach(push);
        index = destinationEnd + 1;
        continue;
      }
    }
    if (!inLink && (char === '<' || ((char === 'h' || char === 'H') && index >= noUrlBefore))) {
      const autolink = char === '<' ? AUTOLINK.exec(rest) : undefined;
      const closed = autolink && source.charAt(index + autolink[0].length) === '>';
      const bare =
        char !== '<' && !WORD.test(source.charAt(index - 1)) ? BARE_URL.exec(rest) : undefined;
      const url = closed ? autolink[1] : bare ? trimUrl(bare[0]) : undefined;
      const href = url === undefined ? undefined : safeHref(url);
      if (url !== undefined && href) {
        push({ type: 'link', href, children: [{ type: 'text', text: url }] });
        index += closed ? autolink[0].length + 1 : url.length;
        continue;
      }
      if (bare) noUrlBefore = index + bare[0].length;
    }
    if ((char === '*' || char === '_') && depth < MAX_DEPTH) {
      const emphasis = matchEmphasis(source, index, unclosed);
      if (emphasis) {
        const children = parseInline(emphasis.inner, depth + 1, inLink);
        push(
          emphasis.strength === 3
            ? { type: 'strong', children: [{ type: 'emphasis', children }] }
            : { type: emphasis.strength === 2 ? 'strong' : 'emphasis', children },
        );
        index = emphasis.end;
        continue;
      }
      const run = RUN.exec(rest)?.[0] ?? char;
      text += run;
      index += run.length;
      continue;
    }
    text += char;
    index += 1;
  }
  pushText();
  return nodes;
}

/**
 * A link labelled with an address (`[https://bank.example](https://other.example)`) is shown
 * with the address it really opens, unless the label is that very address, so its text cannot
 * pass it off as another site.
 */
function honestLabel(children: Inline[], href: string): Inline[] {
  const label = children.map(textOf).join('').trim();
  const scheme = /^[a-z]+:/i.test(label) ? '' : /@/.test(label) ? 'mailto:' : 'https://';
  return /^\S+\.[a-z]{2,}\b\S*$/i.test(label) && safeHref(scheme + label) !== href
    ? [{ type: 'text', text: href }]
    : children;
}

/** A bare URL without the sentence punctuation that follows it, or an unmatched `)`. */
function trimUrl(url: string): string {
  // Opened minus closed parentheses, counted once.
  let balance = url.split('(').length - url.split(')').length;
  let end = url.length;
  for (;;) {
    while (end > 0 && '.,;:!?\'"*_'.includes(url.charAt(end - 1))) end -= 1;
    if (url.charAt(end - 1) !== ')' || balance >= 0) return url.slice(0, end);
    balance += 1;
    end -= 1;
  }
}

/**
 * `*em*`, `**strong**`, `***both***` and the `_` forms. An opener must be followed by a non-space
 * and a closer preceded by one; `_` must also sit outside words, so snake_case stays as written.
 */
function matchEmphasis(
  source: string,
  start: number,
  unclosed: Set<string>,
): { strength: 1 | 2 | 3; inner: string; end: number } | undefined {
  const char = source.charAt(start);
  const run = RUN.exec(source.slice(start))?.[0] ?? char;
  const strength = Math.min(run.length, 3) as 1 | 2 | 3;
  const delimiter = char.repeat(strength);
  const contentStart = start + strength;
  if (run.length > 3 || unclosed.has(delimiter)) return undefined;
  if (/\s/.test(source.charAt(contentStart)) || contentStart >= source.length) return undefined;
  if (char === '_' && WORD.test(source.charAt(start - 1))) return undefined;

  for (
    let at = source.indexOf(delimiter, contentStart + 1);
    at !== -1;
    at = source.indexOf(delimiter, at + 1)
  ) {
    const before = source.charAt(at - 1);
    const after = source.charAt(at + strength);
    if (/\s/.test(before) || before === char || after === char) continue;
    if (char === '_' && WORD.test(after)) continue;
    return { strength, inner: source.slice(contentStart, at), end: at + strength };
  }
  unclosed.add(delimiter);
  return undefined;
}
