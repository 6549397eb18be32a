import { type HandoffChannelName } from '@lorechat/contracts';
import { type DueDelivery, type Handoff, type StoredHandoff } from './handoff-record';

/** Where the previous page of handoffs ended. */
export interface HandoffCursor {
  createdAt: number;
  id: string;
}

export interface HandoffPage {
  /** Newest first. */
  items: StoredHandoff[];
  next?: HandoffCursor;
}

/**
 * The DI token for the handoff outbox: every handoff is written here, with one delivery per
 * channel, before the visitor is told it was sent, and stays until each channel took it. It lives
 * in the conversation log's database (a SQLite file of its own in the data folder, or the
 * PostgreSQL database every task shares), so a handoff survives a restart and any task may send it.
 */
export abstract class HandoffStore {
  /** Creates the tables when missing; safe when several tasks start at once. */
  abstract init(): Promise<void>;
  /** Stores the handoff with a delivery due now for each channel. */
  abstract add(handoff: Handoff, channels: readonly HandoffChannelName[]): Promise<void>;
  /**
   * Claims up to `limit` deliveries due at `now`, each until `leaseUntil`: another task does not
   * take them meanwhile, and a task that dies holding one lets it be tried again then.
   */
  abstract claimDue(now: number, leaseUntil: number, limit: number): Promise<DueDelivery[]>;
  abstract delivered(handoffId: string, channel: HandoffChannelName, at: number): Promise<void>;
  abstract failed(
    handoffId: string,
    channel: HandoffChannelName,
    nextAttemptAt: number,
    error: string,
  ): Promise<void>;
  /** Newest first, for the owner's console. */
  abstract list(limit: number, after?: HandoffCursor): Promise<HandoffPage>;
  /** Deletes handoffs created before `before` that every channel delivered; returns how many. */
  abstract purgeDeliveredBefore(before: number): Promise<number>;
  /** Deletes a visitor's handoffs, delivered or not; returns how many. */
  abstract deleteVisitor(visitorId: string): Promise<number>;
  abstract close(): Promise<void>;

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}
