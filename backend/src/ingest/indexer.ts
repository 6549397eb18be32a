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
 * Chunks a page and analyzes each chunk: the CPU-heavy, synchronous part of indexing, which the
 * crawler runs in its worker threads. Embeddings are added by `Indexer.embed`.
 */
export function prepareDocument(
  page: PageContent,
  contentHash: string,
  analyzer: Analyzer,
  chunking: ChunkingOptions = DEFAULT_CHUNKING,
): IndexedDocument {
  const site = new URL(page.url).host;
  const language = page.language ?? 'en';
  const chunks: ChunkInput[] = chunkMarkdown(
    page.markdown,
    page.url,
    chunking,
    page.headingAnchors ?? 'explicit',
  ).map((piece, position) => ({
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
    terms: analyzer.terms(searchableText(page.title, piece.headingPath, piece.text)),
  }));
  return { url: page.url, site, title: page.title, language, contentHash, chunks };
}

/**
 * The one path from page content to the index, shared by the docs seeder, the crawler and the
 * retrieval benchmark: chunk → analyze → embed → replace the page in the store.
 */
export class Indexer {
  constructor(
    private readonly store: VectorStore,
    readonly analyzer: Analyzer,
    private readonly embeddings: EmbeddingProvider,
    readonly chunking: ChunkingOptions = DEFAULT_CHUNKING,
  ) {}

  /** Indexes the page unless the store already holds this exact content. */
  async index(page: PageContent): Promise<IndexOutcome> {
    return (await this.indexWithDetails(page)).outcome;
  }

  /** As `index`, also telling the caller what the store held before and what was written. */
  async indexWithDetails(page: PageContent): Promise<IndexResult> {
    const contentHash = pageHash(page);
    const previousHash = await this.store.documentHash(page.url);
    if (previousHash === contentHash) return { outcome: 'unchanged', contentHash, previousHash };
    const document = await this.buildDocument(page, contentHash);
    await this.store.upsertDocument(document);
    return { outcome: 'indexed', contentHash, previousHash, chunkCount: document.chunks.length };
  }

  /**
   * Indexes several pages, writing the changed ones together (one transaction in the embedded
   * store): the docs seeder's whole folder costs one commit instead of one per page.
   */
  async indexMany(pages: PageContent[]): Promise<IndexOutcome[]> {
    const outcomes: IndexOutcome[] = [];
    const documents: IndexedDocument[] = [];
    for (const page of pages) {
      const contentHash = pageHash(page);
      if ((await this.store.documentHash(page.url)) === contentHash) {
        outcomes.push('unchanged');
        continue;
      }
      documents.push(await this.buildDocument(page, contentHash));
      outcomes.push('indexed');
    }
    if (documents.length > 0) await this.store.upsertDocuments(documents);
    return outcomes;
  }

  buildDocument(page: PageContent, contentHash: string): Promise<IndexedDocument> {
    return this.embed(prepareDocument(page, contentHash, this.analyzer, this.chunking));
  }

  /** Adds each chunk's embedding (nothing to add when no embedding provider is configured). */
  async embed(document: IndexedDocument): Promise<IndexedDocument> {
    const { chunks } = document;
    if (this.embeddings.dimensions === 0 || chunks.length === 0) return document;
    const vectors = await this.embeddings.embed(
      chunks.map((chunk) => searchableText(chunk.title, chunk.headingPath, chunk.text)),
      'document',
    );
    chunks.forEach((chunk, index) => {
      chunk.embedding = vectors[index];
    });
    return document;
  }
}
