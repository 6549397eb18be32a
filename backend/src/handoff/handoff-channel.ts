import { type HandoffChannelName } from '@lorechat/contracts';
import { type HandoffSettings } from '../config/app-config';
import { type Handoff } from './handoff-record';

/** HANDOFF_EMAIL_TO, HANDOFF_EMAIL_FROM and how to send: set when e-mail is configured. */
export type EmailSettings = NonNullable<HandoffSettings['email']>;

/**
 * One way of reaching the site owner. `deliver` resolves once the channel has accepted the
 * handoff and rejects otherwise; the outbox retries it later. Its error message is stored and
 * shown in the console, so it must never hold the channel's address or credentials.
 */
export abstract class HandoffChannel {
  abstract readonly name: HandoffChannelName;
  abstract deliver(handoff: Handoff): Promise<void>;
  /** Releases connections at shutdown. */
  close(): Promise<void> {
    return Promise.resolve();
  }
}
