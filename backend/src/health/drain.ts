import { Injectable, Logger } from '@nestjs/common';

/** After the deadline, how long stopped work may take to wind down before the exit goes ahead. */
const AFTER_DEADLINE_MS = 2000;

/** Work that must finish before the process exits; `deadline` aborts when time is up. */
export type DrainParticipant = (deadline: AbortSignal) => Promise<void> | void;

/**
 * The server's shutdown state. On SIGTERM (a Spot interruption, a deploy) `main.ts` calls
 * `drain`: readiness fails at once so the load balancer stops sending visitors here, and every
 * participant (the chat) finishes its work or stops it at the deadline.
 */
@Injectable()
export class Drain {
  private readonly logger = new Logger(Drain.name);
  private readonly participants: DrainParticipant[] = [];
  private started = false;

  get draining(): boolean {
    return this.started;
  }

  onDrain(participant: DrainParticipant): void {
    this.participants.push(participant);
  }

  /** Resolves once every participant is done; at the latest AFTER_DEADLINE_MS after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.logger.log(`draining: finishing answers in flight (at most ${timeoutMs} ms)`);
    const deadline = AbortSignal.timeout(timeoutMs);
    const finished = Promise.allSettled(
      this.participants.map(async (participant) => participant(deadline)),
    );
    let cutOff: NodeJS.Timeout | undefined;
    const outOfTime = new Promise<'out of time'>((resolve) => {
      cutOff = setTimeout(() => resolve('out of time'), timeoutMs + AFTER_DEADLINE_MS);
    });
    const results = await Promise.race([finished, outOfTime]);
    clearTimeout(cutOff);
    if (results === 'out of time') {
      this.logger.warn('drain: some work did not wind down in time; exiting anyway');
      return;
    }
    for (const result of results) {
      if (result.status === 'rejected') {
        this.logger.error(`drain step failed: ${String(result.reason)}`);
      }
    }
  }
}
