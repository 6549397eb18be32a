import { NoEmbeddings } from '../../src/embeddings/none.embeddings';
import { extractHtml } from '../../src/ingest/crawler/html-extractor';
import { Indexer } from '../../src/ingest/indexer';
import { chunkMarkdown } from '../../src/ingest/markdown-chunker';
import { type NumberedSource } from '../../src/llm/llm-provider';
import { type EvalSite, loadEvalSite } from '../../src/bench/eval-sets';
import { type Analyzer } from '../../src/text/analyzer';
import { type VectorStore } from '../../src/vector-store/vector-store';

/** Where the evaluation pages pretend to be served, in unit tests that need no server. */
export const EVAL_ORIGIN = 'https://eval.lorechat.test';

const sites = new Map<string, EvalSite>();

/** An evaluation site's page, extracted as the crawler extracts it. */
export function extractedEvalPage(siteId: string, path: string) {
  let site = sites.get(siteId);
  if (!site) {
    site = loadEvalSite(siteId);
    sites.set(siteId, site);
  }
  const html = site.pages.get(path);
  if (html === undefined) throw new Error(`${siteId} has no page ${path}`);
  return extractHtml(html, `${EVAL_ORIGIN}${path}`, { robotsTags: [], agent: 'LoreChat' });
}

/**
 * The sections of evaluation pages as the answerer receives them: each page extracted and chunked
 * as indexing does, each chunk a numbered source titled "Page › Section", in the order given.
 */
export function evalSources(siteId: string, paths: string[]): NumberedSource[] {
  const sources: NumberedSource[] = [];
  for (const path of paths) {
    const page = extractedEvalPage(siteId, path);
    for (const chunk of chunkMarkdown(page.markdown, `${EVAL_ORIGIN}${path}`)) {
      const section = chunk.headingPath.at(-1);
      sources.push({
        number: sources.length + 1,
        url: chunk.url,
        title: section && section !== page.title ? `${page.title} › ${section}` : page.title,
        text: chunk.text,
        language: page.language,
      });
    }
  }
  return sources;
}

/** Indexes every page of an evaluation site as a crawl would, for tests that need a real index. */
export async function indexEvalSite(
  siteId: string,
  store: VectorStore,
  analyzer: Analyzer,
): Promise<void> {
  const indexer = new Indexer(store, analyzer, new NoEmbeddings());
  for (const path of loadEvalSite(siteId).pages.keys()) {
    const { title, language, markdown } = extractedEvalPage(siteId, path);
    await indexer.index({ url: `${EVAL_ORIGIN}${path}`, title, language, markdown });
  }
}
