import { type ScoredChunk } from '../vector-store/chunk';
import { type VectorStore } from '../vector-store/vector-store';

/** The DI token for finding the passages an answer stands on. */
export abstract class Retriever {
  abstract retrieve(query: string, limit: number): Promise<ScoredChunk[]>;
}

/** Keyword (BM25) retrieval alone, the pipeline's first stage; dense search and fusion join it. */
export class KeywordRetriever extends Retriever {
  constructor(private readonly store: VectorStore) {
    super();
  }

  retrieve(query: string, limit: number): Promise<ScoredChunk[]> {
    return this.store.keywordSearch(query, limit);
  }
}
