import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { type HandoffChannelName } from '@lorechat/contracts';
import { type DueDelivery, type Handoff } from './handoff-record';
import { type HandoffCursor, type HandoffPage, HandoffStore } from './handoff.store';
import * as sql from './handoff-sql';

export const HANDOFF_FILE = 'handoffs.sqlite';

type Row = Record<string, unknown>;

/**
 * The handoff outbox in a SQLite file of its own in the data folder, written by this process only
 * (one task, or `lorechat` on a laptop). Its calls are a few rows each and never on an answer's path.
 */
export class SqliteHandoffStore extends HandoffStore {
  private db?: Database.Database;
  private closed = false;

  constructor(private readonly file: string) {
    super();
  }

  init(): Promise<void> {
    return settle(() => void this.open());
  }

  add(handoff: Handoff, channels: readonly HandoffChannelName[]): Promise<void> {
    return this.inTransaction(sql.insertHandoff(handoff, channels)).then(() => undefined);
  }

  claimDue(now: number, leaseUntil: number, limit: number): Promise<DueDelivery[]> {
    return settle(() => {
      const db = this.open();
      return db.transaction(() => {
        const claimed = this.all(sql.claimDue('sqlite', now, leaseUntil, limit));
        if (claimed.length === 0) return [];
        return sql.toDueDeliveries(claimed, this.all(sql.handoffsById(sql.claimedIds(claimed))));
      })();
    });
  }

  delivered(handoffId: string, channel: HandoffChannelName, at: number): Promise<void> {
    return this.inTransaction([sql.markDelivered(handoffId, channel, at)]).then(() => undefined);
  }

  failed(
    handoffId: string,
    channel: HandoffChannelName,
    nextAttemptAt: number,
    error: string,
  ): Promise<void> {
    return this.inTransaction([sql.markFailed(handoffId, channel, nextAttemptAt, error)]).then(
      () => undefined,
    );
  }

  list(limit: number, after?: HandoffCursor): Promise<HandoffPage> {
    return settle(() => {
      const rows = this.all(sql.page(limit + 1, after));
      const handoffs = rows.slice(0, limit).map(sql.toHandoff);
      const ids = handoffs.map((handoff) => handoff.id);
      const deliveries = ids.length ? this.all(sql.deliveriesOf(ids)) : [];
      const last = handoffs.at(-1);
      return {
        items: sql.withDeliveries(handoffs, deliveries),
        next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : undefined,
      };
    });
  }

  async purgeDeliveredBefore(before: number): Promise<number> {
    return (await this.inTransaction(sql.purgeDeliveredBefore(before))).at(-1) ?? 0;
  }

  async deleteVisitor(visitorId: string): Promise<number> {
    return (await this.inTransaction(sql.deleteVisitor(visitorId))).at(-1) ?? 0;
  }

  close(): Promise<void> {
    this.db?.close();
    this.db = undefined;
    this.closed = true;
    return Promise.resolve();
  }

  /** Runs the queries in one transaction; returns each one's changed rows. */
  private inTransaction(queries: sql.Query[]): Promise<number[]> {
    return settle(() => {
      const db = this.open();
      return db.transaction(() =>
        queries.map((query) => db.prepare(query.text).run(...query.params).changes),
      )();
    });
  }

  private all(query: sql.Query): Row[] {
    return this.open()
      .prepare(query.text)
      .all(...query.params) as Row[];
  }

  private open(): Database.Database {
    if (this.closed) throw new Error('The handoff store is closed.');
    if (!this.db) {
      mkdirSync(dirname(this.file), { recursive: true });
      const db = new Database(this.file);
      db.pragma('journal_mode = WAL');
      db.pragma('busy_timeout = 5000');
      db.transaction(() => {
        for (const statement of sql.schema('sqlite')) db.exec(statement);
      })();
      this.db = db;
    }
    return this.db;
  }
}

/** Runs synchronous work as a promise, so a thrown error is a rejection like a database's. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
