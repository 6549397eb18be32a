import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { INDEX_FILE } from '../../vector-store/embedded.store';

/** What the crawler remembers about a page between crawls. */
export interface ManifestEntry {
  url: string;
  etag?: string;
  lastModified?: string;
  contentHash?: string;
  chunkCount?: number;
  /** Links the page lets us follow, so a page answered with 304 still leads to its children. */
  links: string[];
  /** ISO time of the crawl that last saw the page. */
  lastSeen: string;
  outcome: string;
}

interface ManifestRow {
  url: string;
  etag: string | null;
  last_modified: string | null;
  content_hash: string | null;
  chunk_count: number | null;
  links: string;
  last_seen: string;
  outcome: string;
}

/** For the embedded store the manifest shares index.sqlite; for Qdrant it has a file of its own. */
export const SEPARATE_MANIFEST_FILE = 'crawl-manifest.sqlite';

export function manifestFile(dataDir: string, store: 'embedded' | 'qdrant'): string {
  return join(dataDir, store === 'embedded' ? INDEX_FILE : SEPARATE_MANIFEST_FILE);
}

/**
 * The crawl manifest: one row per page in a `crawl_manifest` SQLite table kept with the index. A row
 * is written only after its page's index write committed, so an interrupted crawl leaves rows that
 * describe what the index really holds.
 */
export class CrawlManifest {
  private readonly db: Database.Database;
  /** Prepared once: the crawler reads and writes a row for every page it visits. */
  private readonly statements: {
    get: Database.Statement<[string], ManifestRow>;
    put: Database.Statement<
      [string, string | null, string | null, string | null, number | null, string, string, string]
    >;
    delete: Database.Statement<[string]>;
  };

  constructor(file: string) {
    mkdirSync(join(file, '..'), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS crawl_manifest (
      url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, content_hash TEXT, chunk_count INTEGER,
      links TEXT NOT NULL, last_seen TEXT NOT NULL, outcome TEXT NOT NULL
    ) WITHOUT ROWID`);
    this.statements = {
      get: this.db.prepare('SELECT * FROM crawl_manifest WHERE url = ?'),
      put: this.db.prepare(
        `INSERT OR REPLACE INTO crawl_manifest
           (url, etag, last_modified, content_hash, chunk_count, links, last_seen, outcome)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      delete: this.db.prepare('DELETE FROM crawl_manifest WHERE url = ?'),
    };
  }

  get(url: string): ManifestEntry | undefined {
    const row = this.statements.get.get(url);
    return row && toEntry(row);
  }

  put(entry: ManifestEntry): void {
    this.statements.put.run(
      entry.url,
      entry.etag ?? null,
      entry.lastModified ?? null,
      entry.contentHash ?? null,
      entry.chunkCount ?? null,
      JSON.stringify(entry.links),
      entry.lastSeen,
      entry.outcome,
    );
  }

  /** Writes the rows in one transaction: the crawler batches them with the index writes. */
  putMany(entries: ManifestEntry[]): void {
    this.db.transaction(() => {
      for (const entry of entries) this.put(entry);
    })();
  }

  delete(url: string): void {
    this.statements.delete.run(url);
  }

  urls(): string[] {
    return (this.db.prepare('SELECT url FROM crawl_manifest').pluck().all() as string[]).sort();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function toEntry(row: ManifestRow): ManifestEntry {
  return {
    url: row.url,
    etag: row.etag ?? undefined,
    lastModified: row.last_modified ?? undefined,
    contentHash: row.content_hash ?? undefined,
    chunkCount: row.chunk_count ?? undefined,
    links: JSON.parse(row.links) as string[],
    lastSeen: row.last_seen,
    outcome: row.outcome,
  };
}
