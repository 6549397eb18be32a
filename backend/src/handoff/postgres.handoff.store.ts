import { type PoolConfig } from 'pg';
import { type HandoffChannelName } from '@lorechat/contracts';
import { type DueDelivery, type Handoff } from './handoff-record';
import { type HandoffCursor, type HandoffPage, HandoffStore } from './handoff.store';
import * as sql from './handoff-sql';
import { PostgresDatabase, queryRows } from '../common/postgres-database';

type Row = Record<string, unknown>;

/** Serialises table creation when every task starts at once: pg_advisory_xact_lock's key. */
const SCHEMA_LOCK = 7_356_002;

/**
 * The handoff outbox in the PostgreSQL database of the conversation log (DATABASE_URL), shared by
 * every task: any task sends what another one queued, and a claimed delivery is skipped by the
 * others (FOR UPDATE SKIP LOCKED) until its lease ends. Every query has a deadline, so a database
 * that stops answering fails a request instead of holding it.
 */
export class PostgresHandoffStore extends HandoffStore {
  private readonly db: PostgresDatabase;

  constructor(connectionString: string, options: Partial<PoolConfig> = {}) {
    super();
    this.db = new PostgresDatabase(
      connectionString,
      {
        max: 2,
        applicationName: 'lorechat-handoff',
        schemaLock: SCHEMA_LOCK,
        setUp: async (client) => {
          for (const statement of sql.schema('postgres')) await client.query(statement);
        },
      },
      options,
    );
  }

  init(): Promise<void> {
    return this.db.init();
  }

  async add(handoff: Handoff, channels: readonly HandoffChannelName[]): Promise<void> {
    await this.runAll(sql.insertHandoff(handoff, channels));
  }

  async claimDue(now: number, leaseUntil: number, limit: number): Promise<DueDelivery[]> {
    return this.db.transaction(async (client) => {
      const claimed = await queryRows(client, sql.claimDue('postgres', now, leaseUntil, limit));
      if (claimed.length === 0) return [];
      return sql.toDueDeliveries(
        claimed,
        await queryRows(client, sql.handoffsById(sql.claimedIds(claimed))),
      );
    });
  }

  async delivered(handoffId: string, channel: HandoffChannelName, at: number): Promise<void> {
    await this.runAll([sql.markDelivered(handoffId, channel, at)]);
  }

  async failed(
    handoffId: string,
    channel: HandoffChannelName,
    nextAttemptAt: number,
    error: string,
  ): Promise<void> {
    await this.runAll([sql.markFailed(handoffId, channel, nextAttemptAt, error)]);
  }

  async list(limit: number, after?: HandoffCursor): Promise<HandoffPage> {
    const rows = await this.all(sql.page(limit + 1, after));
    const handoffs = rows.slice(0, limit).map(sql.toHandoff);
    const ids = handoffs.map((handoff) => handoff.id);
    const deliveries = ids.length ? await this.all(sql.deliveriesOf(ids)) : [];
    const last = handoffs.at(-1);
    return {
      items: sql.withDeliveries(handoffs, deliveries),
      next: rows.length > limit && last ? { createdAt: last.createdAt, id: last.id } : undefined,
    };
  }

  async purgeDeliveredBefore(before: number): Promise<number> {
    return (await this.runAll(sql.purgeDeliveredBefore(before))).at(-1) ?? 0;
  }

  async deleteVisitor(visitorId: string): Promise<number> {
    return (await this.runAll(sql.deleteVisitor(visitorId))).at(-1) ?? 0;
  }

  close(): Promise<void> {
    return this.db.close();
  }

  private all(query: sql.Query): Promise<Row[]> {
    return this.db.all(query);
  }

  private runAll(queries: sql.Query[]): Promise<number[]> {
    return this.db.runAll(queries);
  }
}
