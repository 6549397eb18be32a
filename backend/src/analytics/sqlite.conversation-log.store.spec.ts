import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describeConversationLogContract } from '../../test/conversation-log.contract';
import { LOG_FILE, SqliteConversationLogStore } from './sqlite.conversation-log.store';

describeConversationLogContract('SqliteConversationLogStore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lorechat-log-'));
  return Promise.resolve({
    store: new SqliteConversationLogStore(join(dir, LOG_FILE)),
    cleanup: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
  });
});

describe('SqliteConversationLogStore', () => {
  it('refuses a log file of another schema version, saying what to do', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lorechat-log-'));
    const file = join(dir, LOG_FILE);
    const db = new Database(file);
    db.exec(`CREATE TABLE log_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
      INSERT INTO log_meta VALUES ('schema_version', '99')`);
    db.close();
    const store = new SqliteConversationLogStore(file);
    await expect(store.init()).rejects.toThrow(/has schema 99.*Move the file away/);
    rmSync(dir, { recursive: true, force: true });
  });
});
