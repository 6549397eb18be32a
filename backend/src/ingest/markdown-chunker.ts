import { createHash } from 'node:crypto';

export interface ChunkingOptions {
  /** Sections longer than this are split between blocks (paragraphs, lists, code). */
  maxChars: number;
}

export const DEFAULT_CHUNKING: ChunkingOptions = { maxChars: 1500 };

/** A piece of a page before indexing: where to cite it, what is above it, what it says. */
export interface TextChunk {
  /** The page URL plus the anchor of the chunk's section, where there is one. */
  url: string;
  headingPath: string[];
  text: string;
}

interface Section {
  headingPath: string[];
  blocks: string[];
}

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
 * and cites as the page URL plus the section's anchor. Headings inside code fences are code.
 */
export function chunkMarkdown(
  markdown: string,
  pageUrl: string,
  options: ChunkingOptions = DEFAULT_CHUNKING,
): TextChunk[] {
  return sectionsOf(markdown).flatMap((section) => {
    const anchor = section.headingPath.at(-1);
    const url = anchor ? `${pageUrl}#${slugify(anchor)}` : pageUrl;
    return packBlocks(section.blocks, options.maxChars).map((text) => ({
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
      headings.length = heading[1].length - 1;
      headings[heading[1].length - 1] = heading[2];
      current = { headingPath: headings.filter(Boolean), blocks: [] };
      continue;
    }
    if (line.trim() === '') endBlock();
    else block.push(line);
  }
  endSection();
  return sections;
}

function packBlocks(blocks: string[], maxChars: number): string[] {
  const pieces: string[] = [];
  let piece = '';
  for (const block of blocks) {
    if (piece && piece.length + block.length + 2 > maxChars) {
      pieces.push(piece);
      piece = '';
    }
    piece = piece ? `${piece}\n\n${block}` : block;
  }
  if (piece) pieces.push(piece);
  return pieces;
}
