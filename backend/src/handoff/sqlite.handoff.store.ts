import { type HandoffChannelName } from '@lorechat/contracts';
import { type DueDelivery, type Handoff } from './handoff-record';
import { type HandoffCursor, type HandoffPage, HandoffStore } from './handoff.store';
import * as sql from './handoff-sql';
import { SqliteFile } from '../common/sqlite-file';

export const HANDOFF_FILE = 'handoffs.sqlite';

/**
 * The handoff outbox in a SQLite file of its own in the data folder, written by this process only
 * (one task, or `lorechat` on a laptop). Its calls are a few rows each and never on an answer's path.
 */
export class SqliteHandoffStore extends HandoffStore {
  private readonly db: SqliteFile;

  constructor(file: string) {
    super();
    this.db = new SqliteFile(file, {
      name: 'The handoff store',
      setUp: (db) =>
        db.transaction(() => {
          for (const statement of sql.schema('sqlite')) db.exec(statement);
        })(),
    });
  }

  init(): Promise<void> {
    return this.db.init();
  }

  add(handoff: Handoff, channels: readonly HandoffChannelName[]): Promise<void> {
    return this.db.runAll(sql.insertHandoff(handoff, channels)).then(() => undefined);
  }

  claimDue(now: number, leaseUntil: number, limit: number): Promise<DueDelivery[]> {
    return this.db.transaction(() => {
      const claimed = this.db.all(sql.claimDue('sqlite', now, leaseUntil, limit));
      if (claimed.length === 0) return [];
      return sql.toDueDeliveries(claimed, this.db.all(sql.handoffsById(sql.claimedIds(claimed))));
    });
  }

  delivered(handoffId: string, channel: HandoffChannelName, at: number): Promise<void> {
    return this.db.runAll([sql.markDelivered(handoffId, channel, at)]).then(() => undefined);
  }

  failed(
    handoffId: string,
    channel: HandoffChannelName,
    nextAttemptAt: number,
    error: string,
  ): Promise<void> {
    return this.db
      .runAll([sql.markFailed(handoffId, channel, nextAttemptAt, error)])
      .then(() => undefined);
  }

  list(limit: number, after?: HandoffCursor): Promise<HandoffPage> {
    return this.db.read(() => {
      const rows = this.db.all(sql.page(limit + 1, after));
      const handoffs = rows.slice(0, limit).map(sql.toHandoff);
      const ids = handoffs.map((handoff) => handoff.id);
      const deliveries = ids.length ? this.db.all(sql.deliveriesOf(ids)) : [];
      const last = handoffs.at(-1);
      return {
        items: sql.withDeliveries(handoffs, deliveries),
        next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : undefined,
      };
    });
  }

  async purgeDeliveredBefore(before: number): Promise<number> {
    return (await this.db.runAll(sql.purgeDeliveredBefore(before))).at(-1) ?? 0;
  }

  async deleteVisitor(visitorId: string): Promise<number> {
    return (await this.db.runAll(sql.deleteVisitor(visitorId))).at(-1) ?? 0;
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
