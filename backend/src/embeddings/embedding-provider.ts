/**
 * The DI token for turning text into dense vectors. `dimensions` is fixed per provider and model;
 * the store checks it against what it already holds.
 */
export abstract class EmbeddingProvider {
  /** 0 means no dense retrieval: keyword search only. */
  abstract readonly dimensions: number;
  /** A short stable name of provider and model (for cache keys and errors), e.g. `openai:text-embedding-3-small@512`. */
  abstract readonly id: string;
  /**
   * One vector per text, in order, unit-normalised. `purpose` lets providers that distinguish
   * queries from documents (some models do) embed each accordingly.
   */
  abstract embed(texts: string[], purpose: 'query' | 'document'): Promise<number[][]>;
}
