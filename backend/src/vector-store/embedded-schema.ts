import Database from 'better-sqlite3';
import { load as loadSqliteVec } from 'sqlite-vec';
import { type Chunk } from './chunk';
import { KEYWORD_TABLES } from './keyword-index';

/** The embedded store's SQLite file, opened for one writer and many readers across processes. */
export function openIndexDatabase(file: string): Database.Database {
  try {
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    // With WAL, NORMAL still never loses or tears a committed transaction when the process dies;
    // only a power cut may drop the last commits. It saves an fsync per page written.
    db.pragma('synchronous = NORMAL');
    // A page's postings land on many B-tree pages; 64 MB of page cache keeps a crawl from
    // re-reading them for every page written (the default is 2 MB).
    db.pragma('cache_size = -65536');
    // Another process (an ingest) may hold the write lock for one page's transaction.
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    loadSqliteVec(db);
    return db;
  } catch (error) {
    throw new Error(
      `Cannot open the index at ${file} (${(error as Error).message}). If the file is ` +
        'damaged, move it away and re-ingest; LoreChat rebuilds it on start.',
      { cause: error },
    );
  }
}

/** Pages, their chunks and the keyword index; the vectors' table waits for their dimensions. */
export const STORE_TABLES = `
  CREATE TABLE IF NOT EXISTS documents (
    url TEXT PRIMARY KEY, site TEXT NOT NULL, title TEXT NOT NULL, language TEXT NOT NULL,
    content_hash TEXT NOT NULL, index_version INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS chunks (
    rowid INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,
    document_url TEXT NOT NULL REFERENCES documents(url) ON DELETE CASCADE,
    site TEXT NOT NULL, url TEXT NOT NULL, position INTEGER NOT NULL, title TEXT NOT NULL,
    heading_path TEXT NOT NULL, text TEXT NOT NULL, language TEXT NOT NULL,
    content_hash TEXT NOT NULL, index_version INTEGER NOT NULL, length INTEGER NOT NULL,
    terms BLOB NOT NULL DEFAULT x''
  );
  CREATE INDEX IF NOT EXISTS chunks_by_document ON chunks(document_url);
  CREATE INDEX IF NOT EXISTS chunks_by_site ON chunks(site);
  ${KEYWORD_TABLES}
`;

/** sqlite-vec's table of chunk vectors, by cosine distance, filterable by site and page. */
export function vectorTableSql(dimensions: number): string {
  return `CREATE VIRTUAL TABLE IF NOT EXISTS chunk_vectors USING vec0(
    chunk INTEGER PRIMARY KEY, embedding float[${dimensions}] distance_metric=cosine,
    site TEXT, document_url TEXT)`;
}

/** A row of `chunks` as the store's queries select it. */
export interface ChunkRow {
  rowid: number;
  id: string;
  document_url: string;
  site: string;
  url: string;
  position: number;
  title: string;
  heading_path: string;
  text: string;
  language: string;
  content_hash: string;
  index_version: number;
}

export function toChunk(row: ChunkRow): Chunk {
  return {
    id: row.id,
    documentUrl: row.document_url,
    site: row.site,
    url: row.url,
    position: row.position,
    title: row.title,
    headingPath: JSON.parse(row.heading_path) as string[],
    text: row.text,
    language: row.language,
    contentHash: row.content_hash,
    indexVersion: row.index_version,
  };
}
