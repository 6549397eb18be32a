import { type IndexedDocument, type ScoredChunk } from './chunk';

export interface StoreStats {
  documents: number;
  chunks: number;
  /** Grows with every write, so caches keyed on it go stale when the index changes. */
  indexVersion: number;
}

/** An indexed page, as the owner's console lists it. */
export interface IndexedPage {
  url: string;
  title: string;
}

export interface SearchFilter {
  /** Only chunks of pages on this host. */
  site?: string;
  /** Only chunks of this page. */
  documentUrl?: string;
}

export interface SearchOptions {
  limit: number;
  filter?: SearchFilter;
}

/**
 * The DI token for where chunks live. A store answers keyword queries (analyzed terms, ranked by
 * BM25 or the store's sparse-vector equivalent) and dense queries (k nearest embeddings); the
 * Retriever fuses the two lists.
 */
export abstract class VectorStore {
  /**
   * Creates or validates the schema/collection. `dimensions` is the embedding size (0: no dense
   * vectors). A size that differs from what the store already holds is an error naming the fix,
   * never a silent re-create.
   */
  abstract init(dimensions: number): Promise<void>;
  /**
   * Replaces every chunk of the document. Readers never see a mix of old and new chunks of one
   * document, and a crash mid-write leaves the old version or the new one.
   */
  abstract upsertDocument(document: IndexedDocument): Promise<void>;
  /**
   * Replaces several documents, each as `upsertDocument` does. A store that can write them
   * together (one transaction) overrides this: per-write overhead dominates a crawl's cost.
   */
  async upsertDocuments(documents: IndexedDocument[]): Promise<void> {
    for (const document of documents) await this.upsertDocument(document);
  }
  abstract deleteDocument(url: string): Promise<void>;
  /** The content hash stored for a document, or undefined when it is not indexed. */
  abstract documentHash(url: string): Promise<string | undefined>;
  /** Chunks ranked for analyzed query terms (repeats count as query-term frequency). */
  abstract keywordSearch(terms: string[], options: SearchOptions): Promise<ScoredChunk[]>;
  /** Chunks nearest to the vector, by cosine similarity (higher is closer). */
  abstract denseSearch(vector: number[], options: SearchOptions): Promise<ScoredChunk[]>;
  abstract stats(): Promise<StoreStats>;
  /** Every indexed page (document), ordered by URL. */
  abstract documents(): Promise<IndexedPage[]>;
  /**
   * Sets the index version above both `floor` and the store's own, for an index just restored from
   * a backup: caches keyed on a version seen before the restore then never match it. Returns the
   * new version.
   */
  abstract raiseIndexVersion(floor: number): Promise<number>;
  abstract close(): Promise<void>;

  /**
   * Why the store serves with less redundancy than it was given (a Qdrant node that does not
   * answer), or undefined. It may ask what it found down again, so a part that came back clears it.
   */
  degradation(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }

  /** Nest calls this on shutdown, so the file or connection is released cleanly. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}
