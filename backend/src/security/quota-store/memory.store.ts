import { QuotaStore } from './quota-store';

interface Counter {
  total: number;
  expiresAtMs: number;
}

/** How often expired counters are swept, so one-off visitors do not accumulate in memory. */
const SWEEP_INTERVAL_MS = 60_000;

/** Quota counters in this process: right for one task, lost on restart. */
export class MemoryQuotaStore extends QuotaStore {
  private readonly counters = new Map<string, Counter>();
  private nextSweepAtMs: number;

  constructor(private readonly now: () => number = Date.now) {
    super();
    this.nextSweepAtMs = now() + SWEEP_INTERVAL_MS;
  }

  increment(key: string, amount: number, expiresAtMs: number): Promise<number> {
    this.sweepIfDue();
    const current = this.live(key);
    const counter = current ?? { total: 0, expiresAtMs };
    counter.total += amount;
    this.counters.set(key, counter);
    return Promise.resolve(counter.total);
  }

  get(key: string): Promise<number> {
    return Promise.resolve(this.live(key)?.total ?? 0);
  }

  /** Counters currently held, expired ones included until the next sweep (for tests). */
  get size(): number {
    return this.counters.size;
  }

  private live(key: string): Counter | undefined {
    const counter = this.counters.get(key);
    if (counter && counter.expiresAtMs <= this.now()) {
      this.counters.delete(key);
      return undefined;
    }
    return counter;
  }

  private sweepIfDue(): void {
    const now = this.now();
    if (now < this.nextSweepAtMs) return;
    this.nextSweepAtMs = now + SWEEP_INTERVAL_MS;
    for (const [key, counter] of this.counters) {
      if (counter.expiresAtMs <= now) this.counters.delete(key);
    }
  }
}
