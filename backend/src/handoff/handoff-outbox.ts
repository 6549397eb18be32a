import { Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { type HandoffChannelName } from '@lorechat/contracts';
import { type Metrics } from '../metrics/metrics';
import { type HandoffChannel } from './handoff-channel';
import { type DueDelivery } from './handoff-record';
import { type HandoffStore } from './handoff.store';

export interface OutboxTiming {
  /** How often the store is checked for deliveries that are due (retries, other tasks' handoffs). */
  pollMs: number;
  /** How long a claimed delivery is this task's before another may try it. */
  leaseMs: number;
  /** The wait after a first failure, doubled after each further one, up to `retryMaxMs`. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** Deliveries claimed at once. */
  batch: number;
  /** Delivered handoffs are deleted this long after they were made (ANALYTICS_RETENTION_DAYS). */
  retentionMs: number;
}

export const DEFAULT_OUTBOX_TIMING: Omit<OutboxTiming, 'retentionMs'> = {
  pollMs: 5_000,
  leaseMs: 120_000,
  retryBaseMs: 30_000,
  retryMaxMs: 3_600_000,
  batch: 20,
};

const PURGE_INTERVAL_MS = 3_600_000;

/** The wait before the next try of a delivery that has now failed `failures` times. */
export function retryDelay(
  failures: number,
  timing: Pick<OutboxTiming, 'retryBaseMs' | 'retryMaxMs'>,
): number {
  return Math.min(timing.retryMaxMs, timing.retryBaseMs * 2 ** Math.max(0, failures - 1));
}

/**
 * Sends what the handoff store holds through the channels, and keeps trying what a channel did
 * not take: a webhook or mail server that is down delays a handoff, never loses it. A new handoff
 * is sent at once (`kick`); the rest is picked up on each poll, by whichever task gets there
 * first. A handoff is never given up on: the console shows the ones still waiting and why.
 */
export class HandoffOutbox implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Handoff');
  private readonly channels: Map<HandoffChannelName, HandoffChannel>;
  private running?: Promise<void>;
  private runAgain = false;
  private pollTimer?: NodeJS.Timeout;
  private purgeTimer?: NodeJS.Timeout;
  private stopped = false;

  constructor(
    private readonly store: HandoffStore,
    channels: readonly HandoffChannel[],
    private readonly metrics: Metrics,
    private readonly timing: OutboxTiming,
    private readonly now: () => number = Date.now,
  ) {
    this.channels = new Map(channels.map((channel) => [channel.name, channel]));
  }

  /** The channels a new handoff goes through. */
  get channelNames(): HandoffChannelName[] {
    return [...this.channels.keys()];
  }

  onApplicationBootstrap(): void {
    if (this.channels.size === 0) return;
    this.kick();
    this.pollTimer = setInterval(() => this.kick(), this.timing.pollMs);
    this.pollTimer.unref();
    this.purgeTimer = setInterval(() => void this.purge(), PURGE_INTERVAL_MS);
    this.purgeTimer.unref();
  }

  /** Stops polling and waits for the deliveries under way, before the store closes. */
  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearInterval(this.pollTimer);
    clearInterval(this.purgeTimer);
    await this.running;
    await Promise.all([...this.channels.values()].map((channel) => channel.close()));
  }

  /** Delivers what is due now, without waiting. */
  kick(): void {
    void this.deliverDue();
  }

  /**
   * Delivers every delivery due at `now` (tests pass a later time to reach a retry). A call
   * while a run is under way makes that run go round once more, and waits for it.
   */
  deliverDue(now?: number): Promise<void> {
    if (this.running) {
      this.runAgain = true;
      return this.running;
    }
    this.running = this.run(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private async run(at?: number): Promise<void> {
    do {
      this.runAgain = false;
      let due: DueDelivery[];
      do {
        if (this.stopped) return;
        const now = at ?? this.now();
        try {
          due = await this.store.claimDue(now, now + this.timing.leaseMs, this.timing.batch);
        } catch (error) {
          this.logger.warn(`The handoff store could not be read: ${(error as Error).message}`);
          return;
        }
        await Promise.all(due.map((delivery) => this.deliver(delivery, at)));
      } while (due.length === this.timing.batch);
    } while (this.runAgain);
  }

  private async deliver(
    { handoff, channel: name, attempts }: DueDelivery,
    at?: number,
  ): Promise<void> {
    const ids = { handoffId: handoff.id, channel: name, attempt: attempts + 1 };
    const channel = this.channels.get(name);
    try {
      if (!channel) throw new Error(`the ${name} channel is no longer configured`);
      await channel.deliver(handoff);
    } catch (error) {
      const message = (error as Error).message;
      const nextAttemptAt = (at ?? this.now()) + retryDelay(attempts + 1, this.timing);
      this.metrics.handoffDeliveryFailed();
      this.logger.warn({
        msg: `handoff not delivered: ${message}`,
        ...ids,
        nextAttemptAt: new Date(nextAttemptAt).toISOString(),
      });
      await this.store
        .failed(handoff.id, name, nextAttemptAt, message)
        // Not recorded: the lease runs out and it is tried again anyway.
        .catch((storeError: Error) =>
          this.logger.warn(`The handoff store could not be written: ${storeError.message}`),
        );
      return;
    }
    this.logger.log({ msg: 'handoff delivered', ...ids });
    await this.store
      .delivered(handoff.id, name, at ?? this.now())
      // Not recorded: sent again when the lease runs out. Twice is better than never.
      .catch((storeError: Error) =>
        this.logger.warn(`The handoff store could not be written: ${storeError.message}`),
      );
  }

  /** Deletes handoffs every channel delivered, once they are past retention. */
  async purge(): Promise<number> {
    try {
      return await this.store.purgeDeliveredBefore(this.now() - this.timing.retentionMs);
    } catch (error) {
      this.logger.warn(`The handoff purge failed: ${(error as Error).message}`);
      return 0;
    }
  }
}
