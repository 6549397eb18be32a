/** One document's new place: its index in the list given, and the reranker's relevance score. */
export interface RerankedItem {
  index: number;
  score: number;
}

export interface RerankResult {
  /** Best first; at most `topN` items. */
  items: RerankedItem[];
  /** Billed units: Bedrock and Cohere bill a query with up to 100 documents as one. */
  billedUnits: number;
}

/** Documents a rerank API bills as one unit. */
export const DOCUMENTS_PER_UNIT = 100;

/** The DI token for putting retrieved passages in a better order with a cross-encoder model. */
export abstract class Reranker {
  abstract describe(): { provider: string; model: string };
  abstract rerank(
    query: string,
    documents: string[],
    topN: number,
    signal: AbortSignal,
  ): Promise<RerankResult>;
}

/** A rerank request the provider refused or that failed: the fused order is kept. */
export class RerankError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'RerankError';
  }
}
