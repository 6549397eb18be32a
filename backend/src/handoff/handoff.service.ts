import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { type HandoffAccepted, type HandoffPayload } from '@lorechat/contracts';
import { ConfigService } from '../config/config.service';
import { Metrics } from '../metrics/metrics';
import { Quotas, type Visitor } from '../security/quotas';
import { HandoffOutbox } from './handoff-outbox';
import { type Handoff, type TranscriptTurn } from './handoff-record';
import { HandoffStore } from './handoff.store';

/** Thrown when no channel is configured: the widget only offers a handoff when one is. */
export class HandoffUnavailableError extends Error {}

/**
 * A visitor's request to talk to a person: counted against the handoff quotas, stored with the
 * conversation so far, then sent by the outbox. Once `request` resolves the handoff is stored, so
 * it is delivered even if every channel is down and the server restarts meanwhile.
 */
@Injectable()
export class HandoffService {
  private readonly logger = new Logger('Handoff');

  constructor(
    private readonly config: ConfigService,
    private readonly quotas: Quotas,
    private readonly store: HandoffStore,
    private readonly outbox: HandoffOutbox,
    private readonly metrics: Metrics,
  ) {}

  get available(): boolean {
    return this.outbox.channelNames.length > 0;
  }

  async request(
    payload: HandoffPayload,
    transcript: TranscriptTurn[],
    visitor: Visitor,
  ): Promise<HandoffAccepted> {
    if (!this.available) throw new HandoffUnavailableError('No handoff channel is configured.');
    await this.quotas.admitHandoff(visitor);
    const handoff: Handoff = {
      id: randomUUID(),
      siteKey: visitor.siteKey,
      visitorId: visitor.id,
      conversationId: payload.conversationId,
      email: payload.email,
      message: payload.message,
      page: payload.page,
      locale: payload.locale,
      transcript,
      createdAt: Date.now(),
    };
    await this.store.add(handoff, this.outbox.channelNames);
    this.metrics.handoffRequested();
    // The visitor's e-mail and words are content: logged only with LOG_CONTENT.
    const content = this.config.config.server.logContent && { email: handoff.email };
    this.logger.log({
      msg: 'handoff requested',
      handoffId: handoff.id,
      siteKey: handoff.siteKey,
      conversationId: handoff.conversationId,
      turns: transcript.length,
      ...content,
    });
    this.outbox.kick();
    return { handoffId: handoff.id };
  }
}
