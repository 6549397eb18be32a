/**
 * Counters for quotas, each living in a fixed time window. An abstract class so it is its own DI
 * token: `memory` serves one task; a `redis` implementation (INCRBY + PEXPIREAT in one MULTI) shares
 * the counters between tasks without changing any caller.
 */
export abstract class QuotaStore {
  /**
   * Adds `amount` to the counter `key` and returns its new total. The counter disappears at
   * `expiresAtMs` (the end of its window), so keys carry their window in their name.
   */
  abstract increment(key: string, amount: number, expiresAtMs: number): Promise<number>;

  /** The counter's total, 0 when it does not exist or has expired. */
  abstract get(key: string): Promise<number>;
}
