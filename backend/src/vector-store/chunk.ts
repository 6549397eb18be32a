/** A piece of a page, the unit that is indexed, retrieved and cited. */
export interface Chunk {
  /** Stable across re-indexing: derived from the document URL and the chunk's position. */
  id: string;
  /** The page URL without fragment: the unit that is replaced or deleted as a whole. */
  documentUrl: string;
  /** Host of the document URL, for filtering by site. */
  site: string;
  /** The URL to cite: the page URL with a fragment pointing at the chunk's section, if any. */
  url: string;
  /** 0-based position of the chunk in its document. */
  position: number;
  /** The page title. */
  title: string;
  /** The headings above the chunk, outermost first. */
  headingPath: string[];
  text: string;
  /** BCP 47 primary language tag of the page, e.g. `en`. */
  language: string;
  /** sha256 of `text`: equal hashes are equal chunks, whatever page they are on. */
  contentHash: string;
  /** The store's index version when the chunk was written. */
  indexVersion: number;
}

/** A chunk as the indexer hands it to a store. */
export interface ChunkInput extends Omit<Chunk, 'indexVersion'> {
  /**
   * The analyzer's terms for the chunk's searchable text (title, headings and text), in order,
   * repeats included. Stores build their keyword index from these, never from raw text, so keyword
   * quality does not depend on the store.
   */
  terms: string[];
  /** The chunk's dense embedding, when an embedding provider is configured. */
  embedding?: number[];
}

export interface IndexedDocument {
  url: string;
  site: string;
  title: string;
  language: string;
  /** Hash of the source content, so unchanged pages are not re-indexed. */
  contentHash: string;
  chunks: ChunkInput[];
}

export interface ScoredChunk {
  chunk: Chunk;
  score: number;
}
