import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { type HandoffEmailTransportName } from '@lorechat/contracts';
import { type AppConfig } from '../config/app-config';
import { ConfigService } from '../config/config.service';
import { Metrics } from '../metrics/metrics';
import { SecurityModule } from '../security/security.module';
import { type EmailSettings, type HandoffChannel } from './handoff-channel';
import { DEFAULT_OUTBOX_TIMING, HandoffOutbox } from './handoff-outbox';
import { HandoffService } from './handoff.service';
import { HandoffStore } from './handoff.store';
import type * as Postgres from './postgres.handoff.store';
import { HANDOFF_FILE, SqliteHandoffStore } from './sqlite.handoff.store';
import type * as Ses from './ses.channel';
import type * as Smtp from './smtp.channel';
import { WebhookChannel } from './webhook.channel';

const DAY_MS = 86_400_000;

/** The handoff outbox lives beside the conversation log: SQLite in the data folder, or PostgreSQL. */
export function createHandoffStore(config: AppConfig): HandoffStore {
  const { store, databaseUrl } = config.analytics;
  if (store !== 'postgres' || !databaseUrl) {
    return new SqliteHandoffStore(join(config.dataDir, HANDOFF_FILE));
  }
  // Loaded only when picked, as the conversation log's PostgreSQL store is.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { PostgresHandoffStore } = require('./postgres.handoff.store') as typeof Postgres;
  return new PostgresHandoffStore(databaseUrl);
}

/** The configured channels; none when neither HANDOFF_WEBHOOK_URL nor HANDOFF_EMAIL_TO is set. */
export function createHandoffChannels({ handoff }: AppConfig): HandoffChannel[] {
  const channels: HandoffChannel[] = [];
  if (handoff.webhookUrl) channels.push(new WebhookChannel(handoff.webhookUrl));
  if (handoff.email) channels.push(EMAIL_CHANNELS[handoff.email.transport](handoff.email));
  return channels;
}

/**
 * HANDOFF_EMAIL_TRANSPORT's channels, each module loaded only when picked: nodemailer and the AWS
 * SDK's SES client cost start-up time a server that does not send e-mail should not pay.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- loaded when picked, as above */
export const EMAIL_CHANNELS: Record<
  HandoffEmailTransportName,
  (settings: EmailSettings) => HandoffChannel
> = {
  smtp: (settings) => new (require('./smtp.channel') as typeof Smtp).SmtpChannel(settings),
  ses: (settings) => new (require('./ses.channel') as typeof Ses).SesChannel(settings),
};
/* eslint-enable @typescript-eslint/no-require-imports */

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
