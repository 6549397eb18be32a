import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import Database from 'better-sqlite3';
import { load as loadSqliteVec } from 'sqlite-vec';
import { type Chunk, type IndexedDocument, type ScoredChunk } from './chunk';
import { migrateSchema1 } from './embedded-migration';
import { KEYWORD_TABLES, KeywordIndex } from './keyword-index';
import {
  type Bm25Parameters,
  decodeTermIds,
  encodeTermIds,
  type Postings,
} from './keyword-postings';
import {
  type SearchFilter,
  type SearchOptions,
  type IndexedPage,
  type StoreStats,
  VectorStore,
} from './vector-store';

/** 1: one row per posting; 2: postings in blocks with score bounds (migrated from 1 on open). */
const SCHEMA_VERSION = 2;
export const INDEX_FILE = 'index.sqlite';

export type { Bm25Parameters };

interface ChunkRow {
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

/**
 * The store `npm start` uses: one SQLite file in the data directory.
 *
 * Keyword search is BM25 over the analyzer's terms in the store's own keyword index
 * (keyword-index.ts), rather than FTS5: FTS5's bm25() fixes k1 and b and scores every match, and
 * its tokenizers are not our analyzer, so keyword quality would differ from the Qdrant store.
 * Dense search is sqlite-vec's vec0 with cosine distance.
 *
 * Every document is written in one transaction (WAL mode), so readers, including another process,
 * see the old version of a page or the new one, and a killed ingest leaves no half-written page.
 */
export class EmbeddedStore extends VectorStore {
  readonly file: string;
  private readonly db: Database.Database;
  private readonly logger = new Logger('EmbeddedStore');
  private dimensions = 0;
  private keywordIndex?: KeywordIndex;
  private readonly statements = new Map<string, Database.Statement>();

  /**
   * `keywordRanking: 'exhaustive'` scores every posting of a query's terms instead of pruning: the
   * same ranking, slower; `npm run bench:retrieval` measures pruning against it.
   */
  constructor(
    dataDir: string,
    private readonly bm25: Bm25Parameters,
    private readonly options: { keywordRanking?: 'pruned' | 'exhaustive' } = {},
  ) {
    super();
    mkdirSync(dataDir, { recursive: true });
    this.file = join(dataDir, INDEX_FILE);
    try {
      this.db = new Database(this.file);
      this.db.pragma('journal_mode = WAL');
      // With WAL, NORMAL still never loses or tears a committed transaction when the process dies;
      // only a power cut may drop the last commits. It saves an fsync per page written.
      this.db.pragma('synchronous = NORMAL');
      // A page's postings land on many B-tree pages; 64 MB of page cache keeps a crawl from
      // re-reading them for every page written (the default is 2 MB).
      this.db.pragma('cache_size = -65536');
      // Another process (an ingest) may hold the write lock for one page's transaction.
      this.db.pragma('busy_timeout = 5000');
      this.db.pragma('foreign_keys = ON');
      loadSqliteVec(this.db);
    } catch (error) {
      throw new Error(
        `Cannot open the index at ${this.file} (${(error as Error).message}). If the file is ` +
          'damaged, move it away and re-ingest; LoreChat rebuilds it on start.',
        { cause: error },
      );
    }
  }

  init(dimensions: number): Promise<void> {
    return settle(() => this.createOrValidate(dimensions));
  }

  private createOrValidate(dimensions: number): void {
    this.db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value) WITHOUT ROWID');
    const schema = this.meta('schema_version');
    if (schema === 1) this.migrateFromSchema1();
    else if (schema !== undefined && schema !== SCHEMA_VERSION) {
      throw new Error(
        `The index at ${this.file} has schema ${String(schema)}, this LoreChat writes ` +
          `${SCHEMA_VERSION}: move the file away and re-ingest.`,
      );
    }
    this.db.exec(`
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
    `);
    this.keywordIndex = new KeywordIndex(this.db);
    const existing = this.meta('dimensions');
    if (existing !== undefined && existing !== dimensions) {
      throw new Error(
        `The index at ${this.file} holds ${describeDimensions(Number(existing))}, but the ` +
          `configured embeddings produce ${describeDimensions(dimensions)}. Either restore the ` +
          'previous EMBEDDING_PROVIDER/EMBEDDING_MODEL/EMBEDDING_DIMENSIONS, or re-index into an ' +
          `empty data directory (a new LORECHAT_DATA_DIR, or delete ${this.file}).`,
      );
    }
    this.db.transaction(() => {
      this.setMeta('schema_version', SCHEMA_VERSION);
      this.setMeta('dimensions', dimensions);
      if (dimensions > 0) {
        this.db.exec(
          `CREATE VIRTUAL TABLE IF NOT EXISTS chunk_vectors USING vec0(
             chunk INTEGER PRIMARY KEY, embedding float[${dimensions}] distance_metric=cosine,
             site TEXT, document_url TEXT)`,
        );
      }
    })();
    this.dimensions = dimensions;
  }

  private migrateFromSchema1(): void {
    this.logger.log(
      `Migrating the index at ${this.file} from schema 1 to ${SCHEMA_VERSION} (blocked keyword ` +
        'postings); pages stay indexed, nothing is re-crawled.',
    );
    const started = performance.now();
    const { chunks, terms } = migrateSchema1(this.db);
    // The old postings table's pages are free now: hand them back so the file shrinks.
    this.db.exec('VACUUM');
    this.logger.log(
      `Migrated the index at ${this.file} to schema ${SCHEMA_VERSION}: ${chunks} chunks, ` +
        `${terms} terms in ${((performance.now() - started) / 1000).toFixed(1)} s.`,
    );
  }

  /** A prepared statement, prepared once per connection: preparing costs more than most runs. */
  private sql(source: string): Database.Statement {
    let statement = this.statements.get(source);
    if (!statement) {
      statement = this.db.prepare(source);
      this.statements.set(source, statement);
    }
    return statement;
  }

  private get keywords(): KeywordIndex {
    if (!this.keywordIndex) throw new Error('EmbeddedStore: call init() before using the store');
    return this.keywordIndex;
  }

  upsertDocument(document: IndexedDocument): Promise<void> {
    return settle(() => this.replaceDocument(document));
  }

  /** One transaction for the batch: a commit per page cost more than the page's own writes. */
  override upsertDocuments(documents: IndexedDocument[]): Promise<void> {
    return settle(() =>
      this.db.transaction(() => {
        for (const document of documents) this.replaceDocument(document);
      })(),
    );
  }

  private replaceDocument(document: IndexedDocument): void {
    for (const chunk of document.chunks) {
      if (this.dimensions > 0 && chunk.embedding?.length !== this.dimensions) {
        throw new Error(
          `chunk ${chunk.id} has ${chunk.embedding?.length ?? 0} embedding dimensions, the index ${this.dimensions}`,
        );
      }
    }
    this.db.transaction(() => {
      const version = this.bumpVersion();
      this.removeDocument(document.url, version);
      this.sql(
        `INSERT INTO documents (url, site, title, language, content_hash, index_version)
           VALUES (?, ?, ?, ?, ?, ?)`,
      ).run(
        document.url,
        document.site,
        document.title,
        document.language,
        document.contentHash,
        version,
      );
      const insertChunk = this.sql(
        `INSERT INTO chunks (id, document_url, site, url, position, title, heading_path, text,
           language, content_hash, index_version, length, terms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const insertVector =
        this.dimensions > 0
          ? this.sql(
              'INSERT INTO chunk_vectors (chunk, embedding, site, document_url) VALUES (?, ?, ?, ?)',
            )
          : undefined;
      let addedLength = 0;
      const postingsByTerm = new Map<number, Postings>();
      for (const chunk of document.chunks) {
        const counts = countTerms(chunk.terms);
        const ids = this.keywords.termIds(counts.keys(), version);
        const { lastInsertRowid } = insertChunk.run(
          chunk.id,
          document.url,
          chunk.site,
          chunk.url,
          chunk.position,
          chunk.title,
          JSON.stringify(chunk.headingPath),
          chunk.text,
          chunk.language,
          chunk.contentHash,
          version,
          chunk.terms.length,
          encodeTermIds([...ids.values()]),
        );
        for (const [term, frequency] of counts) {
          const postings = postingsByTerm.get(ids.get(term)!) ?? {
            chunks: [],
            frequencies: [],
            lengths: [],
          };
          postings.chunks.push(Number(lastInsertRowid));
          postings.frequencies.push(frequency);
          postings.lengths.push(chunk.terms.length);
          postingsByTerm.set(ids.get(term)!, postings);
        }
        if (insertVector && chunk.embedding) {
          insertVector.run(
            BigInt(lastInsertRowid),
            new Float32Array(chunk.embedding),
            chunk.site,
            document.url,
          );
        }
        addedLength += chunk.terms.length;
      }
      this.keywords.addPostings(postingsByTerm);
      this.addTotals(document.chunks.length, addedLength);
    })();
  }

  deleteDocument(url: string): Promise<void> {
    return settle(() =>
      this.db.transaction(() => {
        const version = Number(this.meta('index_version') ?? 0) + 1;
        if (this.removeDocument(url, version)) this.bumpVersion();
      })(),
    );
  }

  documentHash(url: string): Promise<string | undefined> {
    return settle(() => {
      const row = this.sql('SELECT content_hash FROM documents WHERE url = ?').get(url) as
        { content_hash: string } | undefined;
      return row?.content_hash;
    });
  }

  keywordSearch(terms: string[], options: SearchOptions): Promise<ScoredChunk[]> {
    return settle(() => this.rankByKeywords(terms, options));
  }

  private rankByKeywords(terms: string[], { limit, filter }: SearchOptions): ScoredChunk[] {
    // One read transaction: the counts, the postings and the chunk rows are one snapshot even
    // while another process (an ingest) writes pages.
    return this.db.transaction(() => {
      const chunkCount = Number(this.meta('chunk_count') ?? 0);
      if (terms.length === 0 || chunkCount === 0) return [];
      const averageLength = Number(this.meta('total_length') ?? 0) / chunkCount || 1;
      const ranked = this.keywords.search(terms, {
        limit,
        parameters: this.bm25,
        chunkCount,
        averageLength,
        accept: this.chunksPassing(filter),
        exhaustive: this.options.keywordRanking === 'exhaustive',
      });
      return this.loadChunks(ranked);
    })();
  }

  /**
   * The filter as a set of chunk ids, read once per search. Off the chat's hot path (it searches
   * without a filter); a site filter reads that site's chunk ids from an index.
   */
  private chunksPassing(
    filter: SearchFilter | undefined,
  ): ((chunk: number) => boolean) | undefined {
    const { where, parameters } = chunkFilter(filter);
    if (!where) return undefined;
    const allowed = new Set(
      this.sql(`SELECT c.rowid FROM chunks c ${where}`).pluck().all(parameters) as number[],
    );
    return (chunk) => allowed.has(chunk);
  }

  /** The chunk rows of ranked [rowid, score] pairs, in rank order. */
  private loadChunks(ranked: [number, number][]): ScoredChunk[] {
    if (ranked.length === 0) return [];
    const rows = this.sql(
      'SELECT c.* FROM json_each(:rowids) j JOIN chunks c ON c.rowid = j.value ORDER BY j.key',
    ).all({ rowids: JSON.stringify(ranked.map(([rowid]) => rowid)) }) as ChunkRow[];
    const scoreOf = new Map(ranked);
    return rows.map((row) => ({ chunk: toChunk(row), score: scoreOf.get(row.rowid) ?? 0 }));
  }

  denseSearch(vector: number[], options: SearchOptions): Promise<ScoredChunk[]> {
    return settle(() => this.nearest(vector, options));
  }

  private nearest(vector: number[], { limit, filter }: SearchOptions): ScoredChunk[] {
    if (this.dimensions === 0) return [];
    if (vector.length !== this.dimensions) {
      throw new Error(`query vector has ${vector.length} dimensions, the index ${this.dimensions}`);
    }
    const conditions = [
      filter?.site !== undefined ? 'AND v.site = :site' : '',
      filter?.documentUrl !== undefined ? 'AND v.document_url = :documentUrl' : '',
    ].join(' ');
    const rows = this.sql(
      `SELECT c.*, v.distance FROM chunk_vectors v JOIN chunks c ON c.rowid = v.chunk
         WHERE v.embedding MATCH :vector AND k = :limit ${conditions}
         ORDER BY v.distance`,
    ).all({
      vector: new Float32Array(vector),
      limit,
      ...(filter?.site !== undefined ? { site: filter.site } : {}),
      ...(filter?.documentUrl !== undefined ? { documentUrl: filter.documentUrl } : {}),
    }) as (ChunkRow & { distance: number })[];
    return rows.map((row) => ({ chunk: toChunk(row), score: 1 - row.distance }));
  }

  documents(): Promise<IndexedPage[]> {
    return settle(
      () => this.db.prepare('SELECT url, title FROM documents ORDER BY url').all() as IndexedPage[],
    );
  }

  stats(): Promise<StoreStats> {
    return settle(() => {
      const { documents } = this.sql('SELECT count(*) AS documents FROM documents').get() as {
        documents: number;
      };
      return {
        documents,
        chunks: Number(this.meta('chunk_count') ?? 0),
        indexVersion: Number(this.meta('index_version') ?? 0),
      };
    });
  }

  raiseIndexVersion(floor: number): Promise<number> {
    return settle(() =>
      this.db.transaction(() => {
        const version = Math.max(Number(this.meta('index_version') ?? 0), floor) + 1;
        this.setMeta('index_version', version);
        return version;
      })(),
    );
  }

  close(): Promise<void> {
    return settle(() => {
      if (this.db.open) this.db.close();
    });
  }

  /** Deletes a document's chunks, postings and vectors; true when there was one. */
  private removeDocument(url: string, version: number): boolean {
    const old = this.sql(
      'SELECT rowid, length, terms FROM chunks WHERE document_url = ? ORDER BY rowid',
    ).all(url) as { rowid: number; length: number; terms: Buffer }[];
    if (old.length > 0) {
      const deleteVector =
        this.dimensions > 0 ? this.sql('DELETE FROM chunk_vectors WHERE chunk = ?') : undefined;
      const chunksByTerm = new Map<number, number[]>();
      for (const { rowid, terms } of old) {
        for (const term of decodeTermIds(terms)) {
          const chunks = chunksByTerm.get(term) ?? [];
          chunks.push(rowid);
          chunksByTerm.set(term, chunks);
        }
        deleteVector?.run(BigInt(rowid));
      }
      this.keywords.removePostings(chunksByTerm, version);
      this.addTotals(-old.length, -old.reduce((sum, chunk) => sum + chunk.length, 0));
    }
    // Chunks go with their document (ON DELETE CASCADE).
    return this.sql('DELETE FROM documents WHERE url = ?').run(url).changes > 0;
  }

  private addTotals(chunks: number, length: number): void {
    this.setMeta('chunk_count', Number(this.meta('chunk_count') ?? 0) + chunks);
    this.setMeta('total_length', Number(this.meta('total_length') ?? 0) + length);
  }

  private bumpVersion(): number {
    const version = Number(this.meta('index_version') ?? 0) + 1;
    this.setMeta('index_version', version);
    return version;
  }

  private meta(key: string): number | string | undefined {
    const row = this.sql('SELECT value FROM meta WHERE key = ?').get(key) as
      { value: number | string } | undefined;
    return row?.value;
  }

  private setMeta(key: string, value: number | string): void {
    this.sql(
      'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    ).run(key, value);
  }
}

/** better-sqlite3 is synchronous: run the work now and report its outcome as a promise. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

function countTerms(terms: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const term of terms) counts.set(term, (counts.get(term) ?? 0) + 1);
  return counts;
}

function chunkFilter(filter: SearchFilter | undefined): {
  where: string;
  parameters: Record<string, string>;
} {
  const conditions: string[] = [];
  const parameters: Record<string, string> = {};
  if (filter?.site !== undefined) {
    conditions.push('c.site = :site');
    parameters.site = filter.site;
  }
  if (filter?.documentUrl !== undefined) {
    conditions.push('c.document_url = :documentUrl');
    parameters.documentUrl = filter.documentUrl;
  }
  return { where: conditions.length ? `WHERE ${conditions.join(' AND ')}` : '', parameters };
}

function toChunk(row: ChunkRow): Chunk {
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

function describeDimensions(dimensions: number): string {
  return dimensions === 0 ? 'no embeddings (keyword only)' : `${dimensions}-dimensional embeddings`;
}
