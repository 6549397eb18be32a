import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { type AppConfig } from '../config/app-config';
import { ConfigService } from '../config/config.service';
import { Metrics } from '../metrics/metrics';
import { SecurityModule } from '../security/security.module';
import { type HandoffChannel } from './handoff-channel';
import { DEFAULT_OUTBOX_TIMING, HandoffOutbox } from './handoff-outbox';
import { HandoffService } from './handoff.service';
import { HandoffStore } from './handoff.store';
import { PostgresHandoffStore } from './postgres.handoff.store';
import { HANDOFF_FILE, SqliteHandoffStore } from './sqlite.handoff.store';
import type * as Email from './email.channel';
import { WebhookChannel } from './webhook.channel';

const DAY_MS = 86_400_000;

/** The handoff outbox lives beside the conversation log: SQLite in the data folder, or PostgreSQL. */
export function createHandoffStore(config: AppConfig): HandoffStore {
  const { store, databaseUrl } = config.analytics;
  return store === 'postgres' && databaseUrl
    ? new PostgresHandoffStore(databaseUrl)
    : new SqliteHandoffStore(join(config.dataDir, HANDOFF_FILE));
}

/** The configured channels; none when neither HANDOFF_WEBHOOK_URL nor HANDOFF_EMAIL_TO is set. */
export function createHandoffChannels({ handoff }: AppConfig): HandoffChannel[] {
  const channels: HandoffChannel[] = [];
  if (handoff.webhookUrl) channels.push(new WebhookChannel(handoff.webhookUrl));
  if (handoff.email) {
    // Loaded only when e-mail is configured: nodemailer is not needed otherwise.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { EmailChannel } = require('./email.channel') as typeof Email;
    channels.push(new EmailChannel(handoff.email));
  }
  return channels;
}

/** Talk to a person: the request, its outbox in the store, and the channels that deliver it. */
@Module({
  imports: [SecurityModule],
  providers: [
    {
      provide: HandoffStore,
      useFactory: ({ config }: ConfigService) => createHandoffStore(config),
      inject: [ConfigService],
    },
    {
      provide: HandoffOutbox,
      useFactory: ({ config }: ConfigService, store: HandoffStore, metrics: Metrics) =>
        new HandoffOutbox(store, createHandoffChannels(config), metrics, {
          ...DEFAULT_OUTBOX_TIMING,
          retentionMs: config.analytics.retentionDays * DAY_MS,
        }),
      inject: [ConfigService, HandoffStore, Metrics],
    },
    HandoffService,
  ],
  exports: [HandoffService, HandoffStore, HandoffOutbox],
})
export class HandoffModule {}
