/**
 * Spaces out the requests to each host: the next request to a host starts no sooner than `delayMs`
 * after the previous one started. Hosts are independent, so a slow site never delays another.
 */
export class HostPoliteness {
  private readonly nextStart = new Map<string, number>();
  private readonly delays = new Map<string, number>();

  constructor(private readonly defaultDelayMs: number) {}

  /** Raises a host's delay (robots.txt Crawl-delay); never lowers it below the configured one. */
  setDelay(host: string, delayMs: number): void {
    this.delays.set(host, Math.max(this.defaultDelayMs, delayMs));
  }

  delayFor(host: string): number {
    return this.delays.get(host) ?? this.defaultDelayMs;
  }

  /** Resolves when a request to `host` may start, and books that start. */
  async wait(host: string): Promise<void> {
    const delay = this.delayFor(host);
    if (delay === 0) return;
    const now = Date.now();
    const start = Math.max(now, this.nextStart.get(host) ?? 0);
    this.nextStart.set(host, start + delay);
    if (start > now) await new Promise((resolve) => setTimeout(resolve, start - now));
  }
}
