/**
 * The SQL both handoff stores run, written once with `?` placeholders (PostgreSQL's store numbers
 * them). Times are epoch milliseconds.
 */
import { type HandoffChannelName } from '@lorechat/contracts';
import {
  type Delivery,
  type DueDelivery,
  type Handoff,
  type StoredHandoff,
} from './handoff-record';
import { type HandoffCursor } from './handoff.store';
import { type Dialect, type SqlQuery, type SqlRow as Row } from '../common/sql-query';

export type { Dialect };

export type Query = SqlQuery;

export function schema(dialect: Dialect): string[] {
  const bigint = dialect === 'postgres' ? 'BIGINT' : 'INTEGER';
  return [
    `CREATE TABLE IF NOT EXISTS handoffs (
      id TEXT PRIMARY KEY,
      site_key TEXT NOT NULL,
      visitor_id TEXT NOT NULL,
      conversation_id TEXT,
      email TEXT NOT NULL,
      message TEXT NOT NULL,
      page_url TEXT,
      page_title TEXT,
      locale TEXT,
      transcript TEXT NOT NULL,
      created_at ${bigint} NOT NULL
    )`,
    `CREATE INDEX IF NOT EXISTS handoffs_by_time ON handoffs (created_at, id)`,
    `CREATE INDEX IF NOT EXISTS handoffs_by_visitor ON handoffs (visitor_id)`,
    `CREATE TABLE IF NOT EXISTS handoff_deliveries (
      handoff_id TEXT NOT NULL,
      channel TEXT NOT NULL,
      delivered_at ${bigint},
      attempts INTEGER NOT NULL,
      next_attempt_at ${bigint} NOT NULL,
      last_error TEXT,
      PRIMARY KEY (handoff_id, channel)
    )`,
    `CREATE INDEX IF NOT EXISTS handoff_deliveries_due ON handoff_deliveries (next_attempt_at)
      WHERE delivered_at IS NULL`,
  ];
}

export function insertHandoff(handoff: Handoff, channels: readonly HandoffChannelName[]): Query[] {
  return [
    {
      text: `INSERT INTO handoffs (id, site_key, visitor_id, conversation_id, email, message,
        page_url, page_title, locale, transcript, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
      params: [
        handoff.id,
        handoff.siteKey,
        handoff.visitorId,
        handoff.conversationId ?? null,
        handoff.email,
        handoff.message,
        handoff.page?.url ?? null,
        handoff.page?.title ?? null,
        handoff.locale ?? null,
        JSON.stringify(handoff.transcript),
        handoff.createdAt,
      ],
    },
    ...channels.map((channel) => ({
      text: `INSERT INTO handoff_deliveries (handoff_id, channel, attempts, next_attempt_at)
        VALUES (?, ?, 0, ?) ON CONFLICT (handoff_id, channel) DO NOTHING`,
      params: [handoff.id, channel, handoff.createdAt],
    })),
  ];
}

/** The due deliveries, oldest first; PostgreSQL skips rows another task is claiming. */
export function claimDue(dialect: Dialect, now: number, leaseUntil: number, limit: number): Query {
  const due = `SELECT handoff_id, channel FROM handoff_deliveries
    WHERE delivered_at IS NULL AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?`;
  return {
    text: `UPDATE handoff_deliveries SET next_attempt_at = ?
      WHERE (handoff_id, channel) IN (${dialect === 'postgres' ? `${due} FOR UPDATE SKIP LOCKED` : due})
      RETURNING handoff_id, channel, attempts`,
    params: [leaseUntil, now, limit],
  };
}

export function handoffsById(ids: readonly string[]): Query {
  return {
    text: `SELECT * FROM handoffs WHERE id IN (${ids.map(() => '?').join(', ')})`,
    params: [...ids],
  };
}

export function deliveriesOf(ids: readonly string[]): Query {
  return {
    text: `SELECT * FROM handoff_deliveries WHERE handoff_id IN (${ids.map(() => '?').join(', ')})
      ORDER BY channel`,
    params: [...ids],
  };
}

export function markDelivered(handoffId: string, channel: HandoffChannelName, at: number): Query {
  return {
    text: `UPDATE handoff_deliveries SET delivered_at = ?, attempts = attempts + 1, last_error = NULL
      WHERE handoff_id = ? AND channel = ?`,
    params: [at, handoffId, channel],
  };
}

export function markFailed(
  handoffId: string,
  channel: HandoffChannelName,
  nextAttemptAt: number,
  error: string,
): Query {
  return {
    text: `UPDATE handoff_deliveries SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?
      WHERE handoff_id = ? AND channel = ?`,
    params: [nextAttemptAt, error.slice(0, 500), handoffId, channel],
  };
}

export function page(limit: number, after?: HandoffCursor): Query {
  return after
    ? {
        text: `SELECT * FROM handoffs WHERE (created_at, id) < (?, ?)
          ORDER BY created_at DESC, id DESC LIMIT ?`,
        params: [after.createdAt, after.id, limit],
      }
    : { text: `SELECT * FROM handoffs ORDER BY created_at DESC, id DESC LIMIT ?`, params: [limit] };
}

/** Handoff ids whose deliveries are all done, created before `before`. */
const DELIVERED_BEFORE = `SELECT id FROM handoffs WHERE created_at < ? AND NOT EXISTS (
  SELECT 1 FROM handoff_deliveries WHERE handoff_id = handoffs.id AND delivered_at IS NULL)`;

export function purgeDeliveredBefore(before: number): Query[] {
  return [
    {
      text: `DELETE FROM handoff_deliveries WHERE handoff_id IN (${DELIVERED_BEFORE})`,
      params: [before],
    },
    // Their deliveries are gone, so what is left old and without any undelivered one is done.
    { text: `DELETE FROM handoffs WHERE id IN (${DELIVERED_BEFORE})`, params: [before] },
  ];
}

export function deleteVisitor(visitorId: string): Query[] {
  return [
    {
      text: `DELETE FROM handoff_deliveries WHERE handoff_id IN
        (SELECT id FROM handoffs WHERE visitor_id = ?)`,
      params: [visitorId],
    },
    { text: `DELETE FROM handoffs WHERE visitor_id = ?`, params: [visitorId] },
  ];
}

export function toHandoff(row: Row): Handoff {
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  const pageUrl = text(row.page_url);
  return {
    id: String(row.id),
    siteKey: String(row.site_key),
    visitorId: String(row.visitor_id),
    conversationId: text(row.conversation_id),
    email: String(row.email),
    message: String(row.message),
    page: pageUrl ? { url: pageUrl, title: text(row.page_title) } : undefined,
    locale: text(row.locale),
    transcript: JSON.parse(String(row.transcript)) as Handoff['transcript'],
    createdAt: Number(row.created_at),
  };
}

export function toDelivery(row: Row): Delivery {
  const delivered = row.delivered_at !== null && row.delivered_at !== undefined;
  return {
    channel: String(row.channel) as HandoffChannelName,
    attempts: Number(row.attempts),
    ...(delivered
      ? { deliveredAt: Number(row.delivered_at) }
      : { nextAttemptAt: Number(row.next_attempt_at) }),
    ...(typeof row.last_error === 'string' ? { lastError: row.last_error } : {}),
  };
}

/** Handoffs in the given order, each with its deliveries. */
export function withDeliveries(handoffs: Handoff[], deliveryRows: Row[]): StoredHandoff[] {
  const byHandoff = new Map<string, Delivery[]>();
  for (const row of deliveryRows) {
    const id = String(row.handoff_id);
    byHandoff.set(id, [...(byHandoff.get(id) ?? []), toDelivery(row)]);
  }
  return handoffs.map((handoff) => ({ ...handoff, deliveries: byHandoff.get(handoff.id) ?? [] }));
}

/** The claimed rows with their handoffs, oldest handoff first (RETURNING keeps no order). */
export function toDueDeliveries(claimed: Row[], handoffRows: Row[]): DueDelivery[] {
  const handoffs = new Map(handoffRows.map((row) => [String(row.id), toHandoff(row)]));
  return claimed
    .flatMap((row) => {
      const handoff = handoffs.get(String(row.handoff_id));
      const channel = String(row.channel) as HandoffChannelName;
      return handoff ? [{ handoff, channel, attempts: Number(row.attempts) }] : [];
    })
    .sort(
      (a, b) =>
        a.handoff.createdAt - b.handoff.createdAt ||
        a.handoff.id.localeCompare(b.handoff.id) ||
        a.channel.localeCompare(b.channel),
    );
}

/** The distinct handoff ids of claimed rows. */
export function claimedIds(claimed: Row[]): string[] {
  return [...new Set(claimed.map((row) => String(row.handoff_id)))];
}
