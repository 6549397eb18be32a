import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { type SqlQuery, type SqlRow } from './sql-query';

export interface SqliteFileOptions {
  /** What the file holds, for the error a call after `close` gets: `The handoff store`. */
  name: string;
  /** Pragmas besides write-ahead logging and a 5 s busy timeout. */
  pragmas?: string[];
  /** Creates the tables (and checks them) when the file is opened; a throw closes it again. */
  setUp(db: Database.Database): void;
}

/**
 * A SQLite file of an embedded store's own in the data folder, written by this process only,
 * opened (its folder and tables created) on first use. better-sqlite3 is synchronous: every call
 * here returns a promise, so a store's callers see a failure as a rejection, as they would a
 * database server's.
 */
export class SqliteFile {
  private db?: Database.Database;
  private closed = false;

  constructor(
    private readonly file: string,
    private readonly options: SqliteFileOptions,
  ) {}

  /** Opens the file now, so a file that cannot be opened fails at start-up. */
  init(): Promise<void> {
    return this.read(() => undefined);
  }

  /** Runs synchronous reads of the file as one promise. */
  read<T>(work: (db: Database.Database) => T): Promise<T> {
    return settle(() => work(this.open()));
  }

  /** Runs `work` in one transaction: committed when it returns, rolled back when it throws. */
  transaction<T>(work: (db: Database.Database) => T): Promise<T> {
    return settle(() => {
      const db = this.open();
      return db.transaction(() => work(db))();
    });
  }

  /** Runs the queries in one transaction; returns each one's changed rows. */
  runAll(queries: SqlQuery[]): Promise<number[]> {
    return this.transaction((db) =>
      queries.map((query) => db.prepare(query.text).run(...query.params).changes),
    );
  }

  /** The rows of one query; for use inside `read` or `transaction`. */
  all(query: SqlQuery): SqlRow[] {
    return this.open()
      .prepare(query.text)
      .all(...query.params) as SqlRow[];
  }

  close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
    this.closed = true;
    return Promise.resolve();
  }

  private open(): Database.Database {
    if (this.closed) throw new Error(`${this.options.name} is closed.`);
    if (!this.db) {
      mkdirSync(dirname(this.file), { recursive: true });
      const db = new Database(this.file);
      try {
        db.pragma('journal_mode = WAL');
        for (const pragma of this.options.pragmas ?? []) db.pragma(pragma);
        db.pragma('busy_timeout = 5000');
        this.options.setUp(db);
      } catch (error) {
        db.close();
        throw error;
      }
      this.db = db;
    }
    return this.db;
  }
}

/** Runs synchronous work as a promise, so a thrown error is a rejection. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
