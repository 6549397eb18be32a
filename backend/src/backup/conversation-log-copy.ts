import { existsSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { LOG_FILE } from '../analytics/sqlite.conversation-log.store';
import { type AppConfig } from '../config/app-config';

/**
 * The conversation log's SQLite file in the data folder, when the configuration keeps the log
 * there (ANALYTICS_STORE=sqlite); undefined with PostgreSQL, whose own backups cover it.
 */
export function conversationLogFile(config: AppConfig): string | undefined {
  return config.analytics.store === 'sqlite' ? join(config.dataDir, LOG_FILE) : undefined;
}

/** How many answers the log in `file` holds; 0 when there is no such file. */
export function loggedAnswers(file: string): number {
  if (!existsSync(file)) return 0;
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const exists = db
      .prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'answers'`)
      .get();
    if (!exists) return 0;
    return (db.prepare('SELECT count(*) AS n FROM answers').get() as { n: number }).n;
  } finally {
    db.close();
  }
}
