import { type IndexedDocument, type ScoredChunk } from './chunk';
import { type IndexedPage, type SearchOptions, type StoreStats, VectorStore } from './vector-store';

/**
 * A store the server opens in the background because it could not be reached at start. Until it
 * opens, every call fails with the reason it could not (the refused connection, say), so health,
 * the visitor's error and the log tell what is wrong; once open, calls go straight to the store.
 */
export class LateOpenedStore extends VectorStore {
  private opened = false;

  constructor(
    private readonly store: VectorStore,
    private readonly dimensions: number,
    private failure: Error,
  ) {
    super();
  }

  /** One attempt to open the store; throws its failure, which later calls then report. */
  async init(): Promise<void> {
    try {
      await this.store.init(this.dimensions);
      this.opened = true;
    } catch (error) {
      this.failure = error instanceof Error ? error : new Error(String(error));
      throw error;
    }
  }

  upsertDocument(document: IndexedDocument): Promise<void> {
    return this.open().upsertDocument(document);
  }

  override upsertDocuments(documents: IndexedDocument[]): Promise<void> {
    return this.open().upsertDocuments(documents);
  }

  deleteDocument(url: string): Promise<void> {
    return this.open().deleteDocument(url);
  }

  documentHash(url: string): Promise<string | undefined> {
    return this.open().documentHash(url);
  }

  keywordSearch(terms: string[], options: SearchOptions): Promise<ScoredChunk[]> {
    return this.open().keywordSearch(terms, options);
  }

  denseSearch(vector: number[], options: SearchOptions): Promise<ScoredChunk[]> {
    return this.open().denseSearch(vector, options);
  }

  stats(): Promise<StoreStats> {
    return this.open().stats();
  }

  documents(): Promise<IndexedPage[]> {
    return this.open().documents();
  }

  raiseIndexVersion(floor: number): Promise<number> {
    return this.open().raiseIndexVersion(floor);
  }

  override degradation(): Promise<string | undefined> {
    return this.opened ? this.store.degradation() : Promise.resolve(undefined);
  }

  close(): Promise<void> {
    return this.store.close();
  }

  /** The store once open; until then, a rejected call with the reason. */
  private open(): VectorStore {
    if (!this.opened) throw this.failure;
    return this.store;
  }
}
