import { type RetrievalSettings } from '../config/app-config';
import { type EmbeddingProvider } from '../embeddings/embedding-provider';
import { type ScoredChunk } from '../vector-store/chunk';
import { type SearchFilter, type VectorStore } from '../vector-store/vector-store';
import { type Analyzer } from '../text/analyzer';
import { collapseNearDuplicates, reciprocalRankFusion } from './fusion';

export interface RetrieveOptions {
  limit: number;
  filter?: SearchFilter;
  /**
   * Text the question is read with, at half the weight of its own words: the conversation's
   * earlier questions for a follow-up ("how much is it?"), the title of the page it is asked on.
   */
  context?: string[];
  /**
   * The page the visitor asks from (a document URL): its passages are searched on their own too
   * and fused in, so "what does this cost?" finds this page's price.
   */
  preferDocument?: string;
}

/** The DI token for finding the passages an answer stands on. */
export abstract class Retriever {
  abstract retrieve(query: string, options: RetrieveOptions): Promise<ScoredChunk[]>;
}

/** Terms of a near-duplicate must share this much to be dropped (Jaccard). */
const NEAR_DUPLICATE_SIMILARITY = 0.9;

/**
 * A query's distinct terms beyond this many are dropped: a pasted page as a question would
 * otherwise make every posting list part of one query. The first terms are kept, since people put
 * the point of a question first.
 */
const MAX_QUERY_TERMS = 64;

/**
 * The one retrieval pipeline whatever the store: the store's top keyword hits and, when embeddings
 * are configured, its top dense hits, fused by weighted reciprocal rank, near-duplicates collapsed.
 */
export class HybridRetriever extends Retriever {
  constructor(
    private readonly store: VectorStore,
    private readonly analyzer: Analyzer,
    private readonly embeddings: EmbeddingProvider,
    private readonly settings: RetrievalSettings,
  ) {
    super();
  }

  async retrieve(query: string, options: RetrieveOptions): Promise<ScoredChunk[]> {
    const { limit, filter, context = [], preferDocument } = options;
    const { candidates, keywordWeight, denseWeight, rrfK } = this.settings;
    // The question's own words count twice (query-term frequency), its context's once.
    const own = this.analyzer.terms(query);
    const contextTerms = context.length > 0 ? this.analyzer.terms(context.join('\n')) : [];
    const terms = boundedTerms(contextTerms.length > 0 ? [...own, ...own, ...contextTerms] : own);
    const denseQuery = [query, ...context].join('\n');
    const searchOptions = { limit: Math.max(candidates, limit), filter };
    const search = (searchFilter: SearchFilter | undefined) =>
      Promise.all([
        terms.length > 0 && keywordWeight > 0
          ? this.store.keywordSearch(terms, { ...searchOptions, filter: searchFilter })
          : Promise.resolve([]),
        this.embeddings.dimensions > 0 && denseWeight > 0 && denseQuery.trim() !== ''
          ? this.denseHits(denseQuery, { ...searchOptions, filter: searchFilter })
          : Promise.resolve([]),
      ]);
    const [[keywordHits, denseHits], onPage] = await Promise.all([
      search(filter),
      preferDocument
        ? search({ ...filter, documentUrl: preferDocument })
        : Promise.resolve([[], []] as ScoredChunk[][]),
    ]);
    const fused = reciprocalRankFusion(
      [
        { hits: keywordHits, weight: keywordWeight },
        { hits: denseHits, weight: denseWeight },
        { hits: onPage[0] ?? [], weight: keywordWeight },
        { hits: onPage[1] ?? [], weight: denseWeight },
      ],
      rrfK,
    );
    // Only the head needs de-duplicating: look a little past `limit` to refill what is dropped.
    const head = fused.slice(0, limit * 3);
    return collapseNearDuplicates(head, NEAR_DUPLICATE_SIMILARITY).slice(0, limit);
  }

  private async denseHits(
    query: string,
    options: { limit: number; filter?: SearchFilter },
  ): Promise<ScoredChunk[]> {
    const [vector] = await this.embeddings.embed([query], 'query');
    return vector ? this.store.denseSearch(vector, options) : [];
  }
}

function boundedTerms(terms: string[]): string[] {
  const distinct = new Set<string>();
  return terms.filter((term) => {
    if (distinct.has(term)) return true;
    if (distinct.size >= MAX_QUERY_TERMS) return false;
    distinct.add(term);
    return true;
  });
}
