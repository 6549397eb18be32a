import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { type ConversationLogStore } from './conversation-log.store';

const DAY_MS = 86_400_000;
/** How often old entries are purged; the retention is in days, so hourly keeps it to the hour. */
export const PURGE_INTERVAL_MS = 3_600_000;

/**
 * Enforces `ANALYTICS_RETENTION_DAYS`: at start-up and then every hour, everything asked or rated
 * before the retention window is deleted. Every task purges; a purge is idempotent.
 */
export class LogRetention implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('ConversationLog');
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly store: ConversationLogStore,
    private readonly retentionDays: number,
    private readonly now: () => number = Date.now,
  ) {}

  onApplicationBootstrap(): void {
    void this.purge();
    this.timer = setInterval(() => void this.purge(), PURGE_INTERVAL_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  /** Deletes what is past retention; returns the answers deleted (0 when the store failed). */
  async purge(): Promise<number> {
    try {
      const deleted = await this.store.purgeBefore(this.now() - this.retentionDays * DAY_MS);
      if (deleted > 0) {
        this.logger.log(`purged ${deleted} answers older than ${this.retentionDays} days`);
      }
      return deleted;
    } catch (error) {
      this.logger.warn(`The conversation log purge failed: ${(error as Error).message}`);
      return 0;
    }
  }
}
