import { type IncomingHttpHeaders } from 'node:http';
import { Analyzer } from '../../text/analyzer';
import { type IndexedDocument } from '../../vector-store/chunk';
import { pageHash, prepareDocument } from '../indexer';
import { type ChunkingOptions } from '../markdown-chunker';
import { type ExtractedPage, extractContent } from './content-extractor';
import { type SkipReason } from './skip-reason';

/** A fetched page, sent to a worker thread to be extracted, hashed, chunked and analyzed. */
export interface PageTask {
  url: string;
  headers: IncomingHttpHeaders;
  body: Uint8Array;
  /** The content hash the manifest holds for the page: content that still has it is not chunked. */
  knownHash?: string;
  /** False on a dry run, which writes nothing and so needs no chunks. */
  chunk: boolean;
  /** The analyzer's Snowball language, as the indexer's. */
  language: string;
  chunking: ChunkingOptions;
}

export type PreparedPage =
  | { kind: 'skip'; reason: SkipReason; detail: string }
  | {
      kind: 'page';
      page: ExtractedPage;
      /** `pageHash` of the page: what the store compares to decide whether anything changed. */
      hash: string;
      /** Chunks with their terms, no embeddings; absent when the page will not be written. */
      document?: IndexedDocument;
    };

const analyzers = new Map<string, Analyzer>();

function analyzerFor(language: string): Analyzer {
  let analyzer = analyzers.get(language);
  if (!analyzer) {
    analyzer = new Analyzer(language);
    analyzers.set(language, analyzer);
  }
  return analyzer;
}

/**
 * The CPU-bound part of crawling a page, run in the crawler's worker threads so that parsing,
 * Readability, chunking and stemming use the other cores and never stall fetching. Chunking is
 * skipped where the crawler will not write the page: no text, noindex, a canonical elsewhere, or
 * the content it already holds. The crawler chunks the rare page it still needs (a canonical URL
 * outside the crawl, an index that disagrees with the manifest) itself.
 */
export async function preparePage(task: PageTask): Promise<PreparedPage> {
  const body = Buffer.from(task.body.buffer, task.body.byteOffset, task.body.byteLength);
  const extraction = await extractContent({ url: task.url, headers: task.headers, body });
  if (extraction.kind === 'skip') return extraction;
  const { page } = extraction;
  const hash = pageHash(page);
  const written =
    task.chunk &&
    !page.noindex &&
    (!page.canonical || page.canonical === task.url) &&
    page.markdown.trim() !== '' &&
    hash !== task.knownHash;
  if (!written) return { kind: 'page', page, hash };
  const { title, language, markdown } = page;
  const content = { url: task.url, title, language, markdown };
  const document = prepareDocument(content, hash, analyzerFor(task.language), task.chunking);
  return { kind: 'page', page, hash, document };
}

export default preparePage;
