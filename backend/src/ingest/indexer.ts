import { createHash } from 'node:crypto';
import { type EmbeddingProvider } from '../embeddings/embedding-provider';
import { type Analyzer } from '../text/analyzer';
import { withoutLinkTargets } from '../text/markdown-text';
import { type ChunkInput, type IndexedDocument } from '../vector-store/chunk';
import { type VectorStore } from '../vector-store/vector-store';
import {
  chunkId,
  chunkMarkdown,
  type ChunkingOptions,
  DEFAULT_CHUNKING,
  type HeadingAnchors,
} from './markdown-chunker';

/** A page's extracted content, ready to be indexed. */
export interface PageContent {
  /** The page URL without fragment. */
  url: string;
  title: string;
  /** BCP 47 primary tag, e.g. `en`; the page's own `lang` where known. */
  language?: string;
  /** The page's text, with Markdown headings marking its sections. */
  markdown: string;
  /**
   * How its sections are linked to: `explicit` (the default, for crawled pages) only by anchors the
   * page gives its headings; `slug` also by heading slugs, for Markdown rendered where headings get
   * them (the bundled docs).
   */
  headingAnchors?: HeadingAnchors;
}

export type IndexOutcome = 'indexed' | 'unchanged';

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** The hash a page is stored under: equal hashes mean nothing to re-index. */
export function pageHash(page: Pick<PageContent, 'title' | 'markdown'>): string {
  return sha256(`${page.title}\n${page.markdown}`);
}

export interface IndexResult {
  outcome: IndexOutcome;
  contentHash: string;
  /** The hash the store held before, undefined for a page new to the index. */
  previousHash?: string;
  /** Chunks written; undefined when nothing was written. */
  chunkCount?: number;
}

/**
 * What a chunk is searched and embedded by: its text under its headings, which say what it is
 * about. The page title leads unless the first heading already is the title (Markdown's H1), so
 * that no word counts twice merely for being in both.
 */
function searchableText(title: string, headingPath: string[], text: string): string {
  const headings = headingPath[0] === title ? headingPath : [title, ...headingPath];
  return [...headings, withoutLinkTargets(text)].join('\n');
}

/**
 * The one path from page content to the index, shared by the docs seeder, the crawler and the
 * retrieval benchmark: chunk → analyze → embed → replace the page in the store.
 */
export class Indexer {
  constructor(
    private readonly store: VectorStore,
    private readonly analyzer: Analyzer,
    private readonly embeddings: EmbeddingProvider,
    private readonly chunking: ChunkingOptions = DEFAULT_CHUNKING,
  ) {}

  /** Indexes the page unless the store already holds this exact content. */
  async index(page: PageContent): Promise<IndexOutcome> {
    return (await this.indexWithDetails(page)).outcome;
  }

  /** As `index`, also telling the crawler what it records in its manifest. */
  async indexWithDetails(page: PageContent): Promise<IndexResult> {
    const contentHash = pageHash(page);
    const previousHash = await this.store.documentHash(page.url);
    if (previousHash === contentHash) return { outcome: 'unchanged', contentHash, previousHash };
    const document = await this.buildDocument(page, contentHash);
    await this.store.upsertDocument(document);
    return { outcome: 'indexed', contentHash, previousHash, chunkCount: document.chunks.length };
  }

  async buildDocument(page: PageContent, contentHash: string): Promise<IndexedDocument> {
    const site = new URL(page.url).host;
    const language = page.language ?? 'en';
    const chunks: ChunkInput[] = chunkMarkdown(
      page.markdown,
      page.url,
      this.chunking,
      page.headingAnchors ?? 'explicit',
    ).map((piece, position) => {
      const searchable = searchableText(page.title, piece.headingPath, piece.text);
      return {
        id: chunkId(page.url, position),
        documentUrl: page.url,
        site,
        url: piece.url,
        position,
        title: page.title,
        headingPath: piece.headingPath,
        text: piece.text,
        language,
        contentHash: sha256(piece.text),
        terms: this.analyzer.terms(searchable),
      };
    });
    if (this.embeddings.dimensions > 0 && chunks.length > 0) {
      const vectors = await this.embeddings.embed(
        chunks.map((chunk) => searchableText(chunk.title, chunk.headingPath, chunk.text)),
        'document',
      );
      chunks.forEach((chunk, index) => {
        chunk.embedding = vectors[index];
      });
    }
    return { url: page.url, site, title: page.title, language, contentHash, chunks };
  }
}
