/** A piece of a page, the unit that is indexed, retrieved and cited. */
export interface Chunk {
  /** Stable across re-indexing: derived from the document URL and the chunk's position. */
  id: string;
  /** The page URL, with a fragment pointing at the chunk's section where there is one. */
  url: string;
  /** The page title. */
  title: string;
  /** The headings above the chunk, outermost first. */
  headingPath: string[];
  text: string;
}

export interface IndexedDocument {
  /** The page URL without fragment: the unit that is replaced or deleted as a whole. */
  url: string;
  title: string;
  /** Hash of the source content, so unchanged pages are not re-indexed. */
  contentHash: string;
  chunks: Chunk[];
}

export interface ScoredChunk {
  chunk: Chunk;
  score: number;
}
