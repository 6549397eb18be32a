import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { type AppConfig } from '../config/app-config';
import { ConfigService } from '../config/config.service';
import { type AnalyticsStoreName } from '@lorechat/contracts';
import { AnswerLog, DisabledAnswerLog } from './answer-log';
import { BufferedAnswerLog, DEFAULT_LOG_SETTINGS } from './buffered-answer-log';
import { ConversationLogStore } from './conversation-log.store';
import { LogRetention } from './log-retention';
import type * as Postgres from './postgres.conversation-log.store';
import { LOG_FILE, SqliteConversationLogStore } from './sqlite.conversation-log.store';

/** One line per store: adding a store is a file and a line here. */
const STORES: Record<AnalyticsStoreName, (config: AppConfig) => ConversationLogStore> = {
  sqlite: (config) => new SqliteConversationLogStore(join(config.dataDir, LOG_FILE)),
  postgres: ({ analytics }) => {
    if (!analytics.databaseUrl) throw new Error('DATABASE_URL is required for postgres');
    // Loaded only when picked: the `pg` driver costs start-up time a SQLite install need not pay.
    const { PostgresConversationLogStore } =
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('./postgres.conversation-log.store') as typeof Postgres;
    return new PostgresConversationLogStore(analytics.databaseUrl);
  },
};

/** The configured store, for code outside Nest (the `lorechat ingest` command). */
export function createConversationLogStore(config: AppConfig): ConversationLogStore {
  return STORES[config.analytics.store](config);
}

/**
 * The conversation log: where answers and ratings are kept for the owner's console. The store is
 * opened even with ANALYTICS_ENABLED=false, so what was kept before can still be read, deleted
 * and purged; nothing new is written.
 */
@Module({
  providers: [
    {
      provide: ConversationLogStore,
      useFactory: ({ config }: ConfigService) => createConversationLogStore(config),
      inject: [ConfigService],
    },
    {
      provide: AnswerLog,
      useFactory: ({ config }: ConfigService, store: ConversationLogStore) =>
        config.analytics.enabled
          ? new BufferedAnswerLog(store, {
              ...DEFAULT_LOG_SETTINGS,
              storePii: config.analytics.storePii,
              prices: config.metrics.prices,
            })
          : new DisabledAnswerLog(),
      inject: [ConfigService, ConversationLogStore],
    },
    {
      provide: LogRetention,
      useFactory: ({ config }: ConfigService, store: ConversationLogStore) =>
        new LogRetention(store, config.analytics.retentionDays),
      inject: [ConfigService, ConversationLogStore],
    },
  ],
  exports: [ConversationLogStore, AnswerLog],
})
export class AnalyticsModule {}
