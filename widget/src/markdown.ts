/**
 * The Markdown subset that answers use — paragraphs, headings, lists, fenced code, emphasis, code
 * spans, links and citation markers — parsed into a small tree. The tree holds text only: it is
 * turned into DOM nodes with `textContent` and checked attributes (ui/markdown-view.ts), so no
 * answer can ever inject HTML. Raw HTML in an answer stays visible text, entities included.
 *
 * The parser is forgiving by design: answers arrive token by token, so it is re-run on incomplete
 * text, and an unclosed delimiter simply stays literal until its closer arrives.
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
const HEADING = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/;
const LIST_ITEM = /^( *)([-*+]|(\d{1,9})[.)])(?:[ \t]+(.*))?$/;
const BLANK = /^\s*$/;

export function parseMarkdown(markdown: string): Block[] {
  return parseBlocks(markdown.replace(/\r\n?/g, '\n').split('\n'), 0);
}

/** Only links a visitor can safely follow; anything else (javascript:, data:, relative) is dropped. */
export function safeHref(raw: string): string | undefined {
  try {
    const url = new URL(raw);
    return ['http:', 'https:', 'mailto:'].includes(url.protocol) ? url.href : undefined;
  } catch {
    return undefined;
  }
}

/** The text a reader hears: block boundaries become line breaks, markup disappears. */
export function plainText(blocks: Block[]): string {
  return blocks
    .map((block) => {
      if (block.type === 'code') return block.text;
      if (block.type === 'list') return block.items.map(plainText).join('\n');
      return inlineText(block.children);
    })
    .join('\n');
}

function inlineText(inlines: Inline[]): string {
  return inlines
    .map((inline) => {
      switch (inline.type) {
        case 'text':
        case 'code':
          return inline.text;
        case 'break':
          return '\n';
        case 'citation':
          return `[${inline.number}]`;
        default:
          return inlineText(inline.children);
      }
    })
    .join('');
}

function parseBlocks(lines: string[], depth: number): Block[] {
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
    const heading = HEADING.exec(line);
    if (BLANK.test(line)) {
      endParagraph();
      index += 1;
    } else if (fence) {
      endParagraph();
      const marker = fence[1] ?? '```';
      const closing = new RegExp(`^ {0,3}${marker[0] === '`' ? '`' : '~'}{${marker.length},}\\s*$`);
      const code: string[] = [];
      // An unclosed fence runs to the end, as a streaming answer's code block does for a while.
      for (index += 1; index < lines.length && !closing.test(lines[index] ?? ''); index += 1) {
        code.push(lines[index] ?? '');
      }
      blocks.push({ type: 'code', text: code.join('\n') });
      index += 1;
    } else if (heading) {
      endParagraph();
      blocks.push({ type: 'heading', children: parseInline(heading[1] ?? '', depth) });
      index += 1;
    } else if (depth < MAX_DEPTH && LIST_ITEM.test(line)) {
      endParagraph();
      const list = parseList(lines, index, depth);
      blocks.push(list.block);
      index = list.next;
    } else {
      paragraph.push(line);
      index += 1;
    }
  }
  endParagraph();
  return blocks;
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
      const nextLine = lines.slice(index + 1).find((candidate) => !BLANK.test(candidate));
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
    } else if (!BLANK.test(current.at(-1) ?? '') && !FENCE.test(line) && !HEADING.test(line)) {
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
const AUTOLINK = /^<((?:https?:\/\/|mailto:)[^\s<>]+)>/i;
const BARE_URL = /^https?:\/\/[^\s<>]+/i;
const WORD = /[\p{L}\p{N}]/u;

/** Parses inline Markdown. `depth` bounds nesting; `inLink` stops links inside link text. */
function parseInline(source: string, depth: number, inLink = false): Inline[] {
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
  // Delimiters already known to have no closer after some point: later searches would fail too,
  // so skipping them keeps the parse linear on hostile input full of unmatched `*`.
  const unclosed = new Set<string>();

  for (let index = 0; index < source.length;) {
    const char = source.charAt(index);
    const rest = source.slice(index);
    const next = source.charAt(index + 1);

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
      const run = /^`+/.exec(rest)?.[0] ?? '`';
      const end = findCodeSpanEnd(source, index + run.length, run.length);
      if (end === -1) {
        text += run;
        index += run.length;
      } else {
        const code = source.slice(index + run.length, end).replace(/\n/g, ' ');
        const padded = code.length > 2 && code.startsWith(' ') && code.endsWith(' ');
        push({ type: 'code', text: padded ? code.slice(1, -1) : code });
        index = end + run.length;
      }
      continue;
    }
    if (char === '[') {
      const citation = CITATION.exec(rest);
      if (citation) {
        push({ type: 'citation', number: Number(citation[1]) });
        index += citation[0].length;
        continue;
      }
      const link = inLink || depth >= MAX_DEPTH ? undefined : matchLink(source, index);
      if (link) {
        const children = parseInline(link.label, depth + 1, true);
        const href = safeHref(link.destination);
        // An unsafe link keeps its text and loses its address.
        if (href) push({ type: 'link', href, children });
        else children.forEach(push);
        index = link.end;
        continue;
      }
    }
    if (!inLink && (char === '<' || char === 'h' || char === 'H')) {
      const autolink = char === '<' ? AUTOLINK.exec(rest) : undefined;
      const bare =
        char !== '<' && !WORD.test(source.charAt(index - 1)) ? BARE_URL.exec(rest) : undefined;
      const url = autolink?.[1] ?? (bare ? trimUrl(bare[0]) : undefined);
      const href = url === undefined ? undefined : safeHref(url);
      if (url !== undefined && href) {
        push({ type: 'link', href, children: [{ type: 'text', text: url }] });
        index += autolink ? autolink[0].length : url.length;
        continue;
      }
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
      const run = /^(\*+|_+)/.exec(rest)?.[0] ?? char;
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

/** Index of a backtick run of exactly `length` at or after `from`, or -1. */
function findCodeSpanEnd(source: string, from: number, length: number): number {
  const run = '`'.repeat(length);
  for (let at = source.indexOf(run, from); at !== -1; at = source.indexOf(run, at + 1)) {
    const before = source.charAt(at - 1);
    const after = source.charAt(at + length);
    if (before !== '`' && after !== '`') return at;
  }
  return -1;
}

/** `[label](destination)`, allowing balanced brackets in the label and parentheses in the URL. */
function matchLink(
  source: string,
  start: number,
): { label: string; destination: string; end: number } | undefined {
  let depth = 0;
  let labelEnd = -1;
  for (let index = start; index < source.length; index += 1) {
    const char = source.charAt(index);
    if (char === '\\') index += 1;
    else if (char === '[') depth += 1;
    else if (char === ']' && --depth === 0) {
      labelEnd = index;
      break;
    }
  }
  if (labelEnd === -1 || source.charAt(labelEnd + 1) !== '(') return undefined;
  let parentheses = 0;
  for (let index = labelEnd + 2; index < source.length; index += 1) {
    const char = source.charAt(index);
    if (/\s/.test(char)) return undefined;
    if (char === '(') parentheses += 1;
    else if (char === ')' && parentheses-- === 0) {
      return {
        label: source.slice(start + 1, labelEnd),
        destination: source.slice(labelEnd + 2, index),
        end: index + 1,
      };
    }
  }
  return undefined;
}

/** A bare URL without the sentence punctuation that follows it, or an unmatched `)`. */
function trimUrl(url: string): string {
  let trimmed = url.replace(/[.,;:!?'"*_]+$/, '');
  while (
    trimmed.endsWith(')') &&
    (trimmed.match(/\(/g)?.length ?? 0) < (trimmed.match(/\)/g)?.length ?? 0)
  ) {
    trimmed = trimmed.slice(0, -1).replace(/[.,;:!?'"*_]+$/, '');
  }
  return trimmed;
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
  const run = source.slice(start).match(char === '*' ? /^\*+/ : /^_+/)?.[0] ?? char;
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
