import { createHash } from 'node:crypto';

import { estimateTokens } from '../text/tokens';

export interface ChunkingOptions {
  /**
   * Sections longer than this are split between blocks (paragraphs, lists, code), and a block that
   * alone is longer is split between sentences. Counted with `estimateTokens` (~4 characters per
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

/** The first level-one heading, which Markdown pages use as their title. */
export function markdownTitle(markdown: string): string | undefined {
  return /^#\s+(.+?)\s*#*\s*$/m.exec(markdown)?.[1];
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
    const heading = /^(#{1,6})\s+(.+?)\s*#*\s*$/.exec(line);
    if (heading?.[1] && heading[2]) {
      endSection();
      const anchor = HEADING_ANCHOR.exec(heading[2])?.[1];
      headings.length = heading[1].length - 1;
      headings[heading[1].length - 1] = heading[2].replace(HEADING_ANCHOR, '');
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
 * Greedily fills pieces with whole blocks. Only an oversized prose block is cut between sentences;
 * a code fence is never cut, so one longer than the limit is a piece of its own.
 */
function packBlocks(blocks: string[], options: ChunkingOptions): string[] {
  const whole = blocks.join(BLOCK_SEPARATOR);
  if (estimateTokens(whole) <= options.maxTokens) return [whole];

  const units = blocks.flatMap((block): Unit[] =>
    estimateTokens(block) > options.maxTokens && !isCodeFence(block)
      ? sentenceUnits(block, BLOCK_SEPARATOR)
      : [{ separator: BLOCK_SEPARATOR, text: block }],
  );
  const pieces: string[] = [];
  let piece: Unit[] = [];
  for (const unit of units) {
    if (piece.length > 0 && estimateTokens(render([...piece, unit])) > options.maxTokens) {
      pieces.push(render(piece));
      // The overlap never pushes the next piece over the limit: it gives way to the unit that follows.
      const room = options.maxTokens - estimateTokens(unit.separator + unit.text);
      piece = tailOf(piece, Math.min(options.overlapTokens, room));
    }
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
