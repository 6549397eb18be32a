/**
 * The capacity search of `npm run bench:chat -- --capacity`: the most conversations a server
 * streams within the targets, found by doubling the load until a level fails, then bisecting
 * between the last level that held and the first that did not.
 */
import { TARGETS } from './chat-options';

/** What a streaming run must show to count as held. */
export interface LevelFigures {
  conversations: number;
  completed: number;
  tokensLost: number;
  tokensDuplicated: number;
  tokensMisrouted: number;
  maxConcurrentStreams: number;
  tokenDelayP99Ms: number;
  ttftAddedP50Ms: number;
}

/**
 * Every answer finished, none lost, duplicated or misrouted a token, all of them streamed at one
 * instant (the load was really concurrent), within the delay targets.
 */
export function heldTargets(figures: LevelFigures): boolean {
  return (
    figures.completed === figures.conversations &&
    figures.tokensLost === 0 &&
    figures.tokensDuplicated === 0 &&
    figures.tokensMisrouted === 0 &&
    figures.maxConcurrentStreams === figures.conversations &&
    figures.tokenDelayP99Ms <= TARGETS.tokenDelayP99Ms &&
    figures.ttftAddedP50Ms <= TARGETS.ttftAddedP50Ms
  );
}

export class CapacitySearch {
  /** The highest level that held; 0 before any did. */
  private held = 0;
  /** The lowest level that failed; Infinity before any did. */
  private failed = Infinity;

  /**
   * @param start the first level tried
   * @param resolution the search stops once the first failing level is within this fraction of
   *   the last holding one (at least one conversation apart)
   * @param ceiling the highest level ever tried
   */
  constructor(
    private readonly start: number,
    private readonly resolution: number,
    private readonly ceiling = 50_000,
  ) {
    if (!Number.isInteger(start) || start < 1) throw new Error('the first level must be ≥ 1');
  }

  /** The most conversations that held so far. */
  get capacity(): number {
    return this.held;
  }

  /** The next level to run, or undefined when the search is over. */
  next(): number | undefined {
    if (this.failed === Infinity) {
      const level = this.held === 0 ? this.start : this.held * 2;
      return level > this.ceiling ? undefined : level;
    }
    if (this.held === 0) {
      // Even the first level failed: halve down until one holds.
      return this.failed <= 1 ? undefined : Math.floor(this.failed / 2);
    }
    const gap = Math.max(1, Math.floor(this.held * this.resolution));
    if (this.failed - this.held <= gap) return undefined;
    return Math.floor((this.held + this.failed) / 2);
  }

  record(level: number, held: boolean): void {
    if (held) this.held = Math.max(this.held, level);
    else this.failed = Math.min(this.failed, level);
  }
}
