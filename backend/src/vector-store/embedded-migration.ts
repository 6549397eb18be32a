import type Database from 'better-sqlite3';
import { KEYWORD_TABLES, KeywordIndex } from './keyword-index';
import { encodeTermIds } from './keyword-postings';

export interface MigrationResult {
  chunks: number;
  terms: number;
}

/**
 * Schema 1 → 2, recorded in `meta`: the one-row-per-posting table `postings (term, chunk, frequency, length)` becomes
 * the blocked keyword index, and each chunk records its term ids (what deleting it needs). Chunks,
 * documents, vectors and the crawl manifest are untouched, so nothing needs re-crawling. One
 * transaction: a migration interrupted by a crash leaves the schema 1 index as it was.
 */
export function migrateSchema1(db: Database.Database): MigrationResult {
  return db
    .transaction((): MigrationResult => {
      db.exec(KEYWORD_TABLES);
      db.exec("ALTER TABLE chunks ADD COLUMN terms BLOB NOT NULL DEFAULT x''");
      const keywords = new KeywordIndex(db);
      const version = Number(
        db.prepare("SELECT value FROM meta WHERE key = 'index_version'").pluck().get() ?? 0,
      );
      const terms = db.prepare('SELECT DISTINCT term FROM postings').pluck().all() as string[];
      const postingsOf = db
        .prepare('SELECT chunk, frequency, length FROM postings WHERE term = ? ORDER BY chunk')
        .raw();
      const ids = new Map<string, number>();
      for (const term of terms) {
        const rows = postingsOf.all(term) as [number, number, number][];
        const id = keywords.loadTerm(
          term,
          {
            chunks: rows.map((row) => row[0]),
            frequencies: rows.map((row) => row[1]),
            lengths: rows.map((row) => row[2]),
          },
          version,
        );
        ids.set(term, id);
      }
      const termsOfChunk = db.prepare('SELECT term FROM postings WHERE chunk = ?').pluck();
      const setTerms = db.prepare('UPDATE chunks SET terms = ? WHERE rowid = ?');
      const chunks = db.prepare('SELECT rowid FROM chunks').pluck().all() as number[];
      for (const chunk of chunks) {
        const chunkTerms = termsOfChunk.all(chunk) as string[];
        setTerms.run(encodeTermIds(chunkTerms.map((term) => ids.get(term)!)), chunk);
      }
      db.exec('DROP TABLE postings');
      db.prepare("UPDATE meta SET value = 2 WHERE key = 'schema_version'").run();
      return { chunks: chunks.length, terms: terms.length };
    })
    .immediate();
}
