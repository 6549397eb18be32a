import { type IndexedDocument, type ScoredChunk } from './chunk';

export interface StoreStats {
  documents: number;
  chunks: number;
}

/**
 * The DI token for where chunks live. Each store answers keyword queries itself; the Retriever
 * decides how to combine what stores return.
 */
export abstract class VectorStore {
  /** Replaces every chunk of the document at once: readers never see half of a document. */
  abstract upsertDocument(document: IndexedDocument): Promise<void>;
  abstract deleteDocument(url: string): Promise<void>;
  /** The content hash stored for a document, or undefined when it is not indexed. */
  abstract documentHash(url: string): Promise<string | undefined>;
  abstract keywordSearch(query: string, limit: number): Promise<ScoredChunk[]>;
  abstract stats(): Promise<StoreStats>;
}
