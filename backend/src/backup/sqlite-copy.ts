import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { load as loadSqliteVec } from 'sqlite-vec';

/**
 * Copies a SQLite database that may be in use (the server reading it, an ingest writing it) into
 * a new file. `VACUUM INTO` reads the source in one read transaction, so the copy is the database
 * as of one commit, and in WAL mode that transaction blocks neither readers nor the writer (the
 * backup API would restart from scratch at every commit of another connection instead). The copy
 * is compacted, checked with `quick_check`, and left in rollback-journal mode, so it is one
 * self-contained file.
 */
export function snapshotSqlite(source: string, target: string): void {
  mkdirSync(dirname(target), { recursive: true });
  const db = new Database(source, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 5000');
    // The index's vector table is a sqlite-vec virtual table: load the module that defines it.
    loadSqliteVec(db);
    db.prepare('VACUUM INTO ?').run(target);
  } finally {
    db.close();
  }
  const copy = new Database(target, { fileMustExist: true });
  try {
    const check = copy.pragma('quick_check', { simple: true });
    if (check !== 'ok')
      throw new Error(`the copy of ${source} fails SQLite's quick_check: ${String(check)}`);
  } finally {
    copy.close();
  }
}

/** Puts a database file in rollback-journal mode, so it needs no -wal or -shm file beside it. */
export function settleSqlite(file: string): void {
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('journal_mode = DELETE');
  } finally {
    db.close();
  }
}

/**
 * Writes the database in `source` over `target` with SQLite's backup API, page by page under the
 * target's own locks: a process that has the target open (a server left running) sees the old
 * database or the new one, never a file swapped under it or a torn page.
 */
export async function restoreSqlite(source: string, target: string): Promise<void> {
  mkdirSync(dirname(target), { recursive: true });
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    await db.backup(target);
  } finally {
    db.close();
  }
}
