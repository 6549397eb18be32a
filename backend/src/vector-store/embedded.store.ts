import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Bm25Index } from '../retrieval/bm25';
import { type Chunk, type IndexedDocument, type ScoredChunk } from './chunk';
import { type StoreStats, VectorStore } from './vector-store';

const FORMAT_VERSION = 1;

interface Snapshot {
  version: number;
  documents: IndexedDocument[];
}

/**
 * The store `npm start` uses: everything in one file in the data directory, searched in memory.
 *
 * Each change rewrites the file to a temporary name and renames it over the old one, so a crash
 * leaves either the old index or the new one, never half a document. This suits the few thousand
 * chunks of a documentation site; the SQLite store replaces it for larger sites.
 */
export class EmbeddedStore extends VectorStore {
  private readonly file: string;
  private readonly documents = new Map<string, IndexedDocument>();
  private readonly chunks = new Map<string, Chunk>();
  private readonly keywordIndex = new Bm25Index();

  constructor(dataDir: string) {
    super();
    mkdirSync(dataDir, { recursive: true });
    this.file = join(dataDir, 'index.json');
    for (const document of this.readSnapshot()) this.addToMemory(document);
  }

  upsertDocument(document: IndexedDocument): Promise<void> {
    this.removeFromMemory(document.url);
    this.addToMemory(document);
    this.persist();
    return Promise.resolve();
  }

  deleteDocument(url: string): Promise<void> {
    if (this.removeFromMemory(url)) this.persist();
    return Promise.resolve();
  }

  documentHash(url: string): Promise<string | undefined> {
    return Promise.resolve(this.documents.get(url)?.contentHash);
  }

  keywordSearch(query: string, limit: number): Promise<ScoredChunk[]> {
    const hits = this.keywordIndex.search(query, limit).flatMap(({ key, score }) => {
      const chunk = this.chunks.get(key);
      return chunk ? [{ chunk, score }] : [];
    });
    return Promise.resolve(hits);
  }

  stats(): Promise<StoreStats> {
    return Promise.resolve({ documents: this.documents.size, chunks: this.chunks.size });
  }

  private addToMemory(document: IndexedDocument): void {
    this.documents.set(document.url, document);
    for (const chunk of document.chunks) {
      this.chunks.set(chunk.id, chunk);
      // Titles and headings say what a section is about: index them with its text.
      this.keywordIndex.add(chunk.id, [chunk.title, ...chunk.headingPath, chunk.text].join('\n'));
    }
  }

  private removeFromMemory(url: string): boolean {
    const existing = this.documents.get(url);
    if (!existing) return false;
    for (const chunk of existing.chunks) {
      this.chunks.delete(chunk.id);
      this.keywordIndex.remove(chunk.id);
    }
    this.documents.delete(url);
    return true;
  }

  private readSnapshot(): IndexedDocument[] {
    let raw: string;
    try {
      raw = readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const snapshot = JSON.parse(raw) as Snapshot;
    if (snapshot.version !== FORMAT_VERSION) {
      throw new Error(
        `${this.file} was written by an incompatible version (format ${snapshot.version}); ` +
          'delete it and restart to re-index',
      );
    }
    return snapshot.documents;
  }

  private persist(): void {
    const snapshot: Snapshot = { version: FORMAT_VERSION, documents: [...this.documents.values()] };
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(snapshot));
    renameSync(temporary, this.file);
  }
}
