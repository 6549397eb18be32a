import { createHash } from 'node:crypto';

import { estimateTokens } from '../text/tokens';

export interface ChunkingOptions {
  /**
   * No chunk is longer than this. Sections longer are split between blocks (paragraphs, lists,
   * code), a block that alone is longer between sentences (a code fence between lines), and a
   * sentence or line that alone is longer between words, or anywhere if it has no space. Counted
   * with `estimateTokens` (~4 characters per
   * token), the same estimate the answerer budgets its prompt with, so a chunk's share of the context
   * window is what this says.
   */
  maxTokens: number;
  /**
   * How much of a split section's previous piece the next piece repeats, cut at a sentence or block
   * boundary, so that a passage straddling the cut is whole in at least one chunk.
   */
  overlapTokens: number;
}

/**
 * 400 tokens keeps a typical abstract or docs section whole (the retrieval bench lost nDCG@10 at 350,
 * where overlapping pieces of split abstracts crowd each other in the ranking).
 */
export const DEFAULT_CHUNKING: ChunkingOptions = { maxTokens: 400, overlapTokens: 50 };

/** A piece of a page before indexing: where to cite it, what is above it, what it says. */
export interface TextChunk {
  /** The page URL plus the anchor of the chunk's section, where there is one. */
  url: string;
  headingPath: string[];
  text: string;
}

interface Section {
  headingPath: string[];
  /** The heading's own anchor, when the page names one (`## Prices {#rates}`). */
  anchor?: string;
  blocks: string[];
}

/**
 * Where a section's link points. `slug`: its heading's own anchor, else the GitHub-style slug of
 * the heading, which pages rendered from Markdown carry (the bundled docs, GitHub). `explicit`: only
 * an anchor the page itself gives the heading (`## Prices {#rates}`, from HTML ids); a crawled
 * page's heading without an id has no anchor to link to, and is cited by the page URL.
 */
export type HeadingAnchors = 'slug' | 'explicit';

/** A heading's explicit anchor, `{#id}` at its end, as the HTML extractor writes a heading's id. */
const HEADING_ANCHOR = /\s*\{#([\w:.-]+)\}$/;

/** A chunk id that stays the same while the page URL and the chunk's position do. */
export function chunkId(documentUrl: string, position: number): string {
  const digest = createHash('sha256').update(documentUrl).digest('hex').slice(0, 16);
  return `${digest}:${position}`;
}

/** GitHub's anchor style, so links to sections work where the Markdown is rendered. */
export function slugify(heading: string): string {
  return heading
    .toLowerCase()
    .trim()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/**
 * An ATX heading's level and text, without its closing `#`s. Read by hand in linear time: the
 * regular expression this replaces backtracked cubically on a heading followed by many spaces (a
 * 5,000-space line took 28 s), which a hostile page could use to stall an ingest.
 */
export function atxHeading(line: string): { level: number; text: string } | undefined {
  const opening = /^(#{1,6})\s+/.exec(line);
  if (!opening?.[1]) return undefined;
  let end = line.trimEnd().length;
  let hashes = end;
  while (hashes > opening[0].length && line.charAt(hashes - 1) === '#') hashes -= 1;
  // A closing sequence is `#`s after a space (`## C#` keeps its `#`), or all the text.
  if (hashes < end && (hashes === opening[0].length || /\s/.test(line.charAt(hashes - 1)))) {
    end = hashes;
  }
  const text = line.slice(opening[0].length, end).trim();
  return text ? { level: opening[1].length, text } : undefined;
}

/** The first level-one heading, which Markdown pages use as their title. */
export function markdownTitle(markdown: string): string | undefined {
  for (const match of markdown.matchAll(/^#[ \t][^\n]*/gm)) {
    const heading = atxHeading(match[0]);
    if (heading?.level === 1) return heading.text;
  }
  return undefined;
}

/**
 * Splits a Markdown page at its headings, so each chunk is one section that says what it is about,
 * and cites as the page URL plus the section's anchor (see `HeadingAnchors`). Headings inside code
 * fences are code.
 */
export function chunkMarkdown(
  markdown: string,
  pageUrl: string,
  options: ChunkingOptions = DEFAULT_CHUNKING,
  anchors: HeadingAnchors = 'slug',
): TextChunk[] {
  return sectionsOf(markdown).flatMap((section) => {
    const heading = section.headingPath.at(-1);
    const slug = anchors === 'slug' && heading ? slugify(heading) : undefined;
    const anchor = section.anchor ?? slug;
    const url = anchor ? `${pageUrl}#${anchor}` : pageUrl;
    return packBlocks(section.blocks, options).map((text) => ({
      url,
      headingPath: section.headingPath,
      text,
    }));
  });
}

function sectionsOf(markdown: string): Section[] {
  const sections: Section[] = [];
  const headings: string[] = [];
  let current: Section = { headingPath: [], blocks: [] };
  let block: string[] = [];
  let fence: string | undefined;

  const endBlock = () => {
    const text = block.join('\n').trim();
    if (text) current.blocks.push(text);
    block = [];
  };
  const endSection = () => {
    endBlock();
    if (current.blocks.length > 0) sections.push(current);
  };

  for (const line of markdown.split(/\r?\n/)) {
    const fenceMatch = /^\s*(```|~~~)/.exec(line);
    if (fence) {
      block.push(line);
      if (fenceMatch?.[1] === fence) {
        fence = undefined;
        endBlock();
      }
      continue;
    }
    if (fenceMatch) {
      endBlock();
      fence = fenceMatch[1];
      block.push(line);
      continue;
    }
    const heading = atxHeading(line);
    if (heading) {
      endSection();
      const anchor = HEADING_ANCHOR.exec(heading.text)?.[1];
      headings.length = heading.level - 1;
      headings[heading.level - 1] = heading.text.replace(HEADING_ANCHOR, '');
      current = { headingPath: headings.filter(Boolean), anchor, blocks: [] };
      continue;
    }
    if (line.trim() === '') endBlock();
    else block.push(line);
  }
  endSection();
  return sections;
}

/** A block, or a sentence of one, with the text that separated it from what came before. */
interface Unit {
  separator: string;
  text: string;
}

const BLOCK_SEPARATOR = '\n\n';
const sentences = new Intl.Segmenter('en', { granularity: 'sentence' });

function isCodeFence(block: string): boolean {
  return /^\s*(```|~~~)/.test(block);
}

function render(units: Unit[]): string {
  return units
    .map((unit, index) => (index === 0 ? unit.text : unit.separator + unit.text))
    .join('');
}

/** A prose block's sentences, each with the whitespace before it, so lists keep their line breaks. */
function sentenceUnits(block: string, separator: string): Unit[] {
  const units: Unit[] = [];
  let before = separator;
  for (const { segment } of sentences.segment(block)) {
    const text = segment.trimEnd();
    if (text) units.push({ separator: before, text });
    before = segment.slice(text.length) || ' ';
  }
  return units;
}

/**
 * Cuts text into pieces of at most `maxChars`, each as late as possible at a line break, else at a
 * space, else (a URL, a base64 blob, a language without spaces) exactly at the limit, never inside
 * a surrogate pair. Linear: each cut looks back at most one piece.
 */
export function cutText(text: string, maxChars: number): string[] {
  const pieces: string[] = [];
  let start = 0;
  while (text.length - start > maxChars) {
    const limit = start + maxChars;
    const window = text.slice(start, limit + 1);
    const breakAt = Math.max(window.lastIndexOf('\n'), window.search(/\s\S*$/));
    let end = breakAt > maxChars / 2 ? start + breakAt : limit;
    if (end === limit && /[\uDC00-\uDFFF]/.test(text.charAt(end))) end -= 1;
    pieces.push(text.slice(start, end).trimEnd());
    start = end;
    while (/\s/.test(text.charAt(start))) start += 1;
  }
  const rest = text.slice(start);
  if (rest.trim() || pieces.length === 0) pieces.push(rest);
  return pieces;
}

/**
 * An over-long code fence as several whole fences, cut between lines (a line longer than the room
 * left is cut like text), each opening with the original fence line so it keeps its language.
 */
function cutFence(block: string, maxChars: number): string[] {
  const lines = block.split('\n');
  const opening = lines[0] ?? '';
  const marker = /^\s*(```|~~~)/.exec(opening)?.[1] ?? '```';
  const closed = lines.length > 1 && (lines.at(-1) ?? '').trim().startsWith(marker);
  const body = lines.slice(1, closed ? -1 : undefined);
  const overhead = opening.length + marker.length + 2;
  // A fence line as long as the limit leaves no room for code: cut it all as text.
  if (overhead > maxChars / 2) return cutText(block, maxChars);
  const room = maxChars - overhead;
  const pieces: string[] = [];
  let piece: string[] = [];
  let length = 0;
  const flush = () => {
    if (piece.length > 0) pieces.push([opening, ...piece, marker].join('\n'));
    piece = [];
    length = 0;
  };
  for (const line of body.flatMap((line) => (line.length > room ? cutText(line, room) : [line]))) {
    if (piece.length > 0 && length + 1 + line.length > room) flush();
    length += (piece.length > 0 ? 1 : 0) + line.length;
    piece.push(line);
  }
  flush();
  return pieces.length > 0 ? pieces : [block.slice(0, maxChars)];
}

/** Units no longer than the limit: an over-long sentence, line or fence is cut as above. */
function boundedUnits(block: string, maxChars: number): Unit[] {
  if (block.length <= maxChars) return [{ separator: BLOCK_SEPARATOR, text: block }];
  if (isCodeFence(block)) {
    return cutFence(block, maxChars).map((text) => ({ separator: BLOCK_SEPARATOR, text }));
  }
  return sentenceUnits(block, BLOCK_SEPARATOR).flatMap((unit) =>
    unit.text.length <= maxChars
      ? [unit]
      : cutText(unit.text, maxChars).map((text, index) => ({
          separator: index === 0 ? unit.separator : ' ',
          text,
        })),
  );
}

/**
 * Greedily fills pieces with whole blocks. Only an oversized block is cut: prose between
 * sentences, a code fence between lines, and whatever is still too long as `cutText` does, so no
 * piece is ever longer than the limit. Lengths are kept as running sums: linear in the section.
 */
function packBlocks(blocks: string[], options: ChunkingOptions): string[] {
  const whole = blocks.join(BLOCK_SEPARATOR);
  if (estimateTokens(whole) <= options.maxTokens) return [whole];

  const maxChars = options.maxTokens * 4;
  const units = blocks.flatMap((block) => boundedUnits(block, maxChars));
  const pieces: string[] = [];
  let piece: Unit[] = [];
  let length = 0;
  for (const unit of units) {
    if (piece.length > 0 && length + unit.separator.length + unit.text.length > maxChars) {
      pieces.push(render(piece));
      // The overlap never pushes the next piece over the limit: it gives way to the unit that follows.
      const room = options.maxTokens - estimateTokens(unit.separator + unit.text);
      piece = tailOf(piece, Math.min(options.overlapTokens, room));
      length = render(piece).length;
    }
    length += (piece.length > 0 ? unit.separator.length : 0) + unit.text.length;
    piece.push(unit);
  }
  if (piece.length > 0) pieces.push(render(piece));
  return pieces;
}

/**
 * The end of a piece, at most `budget` tokens, cut at a sentence or block boundary: whole sentences
 * of prose, a code fence only whole. Empty when even the last sentence is longer than the budget.
 */
function tailOf(piece: Unit[], budget: number): Unit[] {
  const tail: Unit[] = [];
  for (const unit of [...piece].reverse()) {
    const parts = isCodeFence(unit.text) ? [unit] : sentenceUnits(unit.text, unit.separator);
    for (const part of parts.reverse()) {
      if (estimateTokens(render([part, ...tail])) > budget) return tail;
      tail.unshift(part);
    }
  }
  return tail;
}
