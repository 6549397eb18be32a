/**
 * Pure helpers of `npm run bench:chat`, shared by its processes: the token format the bench
 * provider writes and the clients read, the per-conversation sequence check, the clock-offset
 * estimate between processes, percentiles and the peak of overlapping streams.
 */

/**
 * Wall-clock time in ms with sub-millisecond precision. Every bench process runs on the same
 * machine, so these are comparable across processes (up to the offset `estimateClockOffset`
 * measures, which the clients subtract).
 */
export const wallNow = (): number => performance.timeOrigin + performance.now();

/** One token as the bench provider stamps it: which conversation, its place, when it was sent. */
export interface TokenMark {
  conversation: number;
  seq: number;
  /** Provider clock, ms. */
  sentAt: number;
  /** First token only: when the provider received the request, provider clock. */
  requestReceivedAt?: number;
}

/**
 * The tag a question carries so the provider stamps its tokens with the conversation and streams
 * the number of tokens the client expects.
 */
export function benchTag(conversation: number, tokens: number): string {
  return `[bench ${conversation}/${tokens}]`;
}

/** What a prompt's last tag says (the question comes after the sources), if it has one. */
export function parseBenchTag(text: string): { conversation: number; tokens: number } | undefined {
  const match = [...text.matchAll(/\[bench (\d+)\/(\d+)\]/g)].at(-1);
  return match ? { conversation: Number(match[1]), tokens: Number(match[2]) } : undefined;
}

/** The text of one streamed token: `⟨conversation:seq:sentAt[:requestReceivedAt]⟩ `. */
export function formatToken(mark: TokenMark): string {
  const received =
    mark.requestReceivedAt === undefined ? '' : `:${mark.requestReceivedAt.toFixed(3)}`;
  return `⟨${mark.conversation}:${mark.seq}:${mark.sentAt.toFixed(3)}${received}⟩ `;
}

const TOKEN_PATTERN = /⟨(\d+):(\d+):(\d+(?:\.\d+)?)(?::(\d+(?:\.\d+)?))?⟩/g;

/**
 * Every token mark in `text`. Each `token` event should carry exactly one, but reading all of them
 * keeps the count exact whatever the server does to chunk boundaries (merges or splits).
 */
export function parseTokens(text: string): TokenMark[] {
  const marks: TokenMark[] = [];
  for (const match of text.matchAll(TOKEN_PATTERN)) {
    const mark: TokenMark = {
      conversation: Number(match[1]),
      seq: Number(match[2]),
      sentAt: Number(match[3]),
    };
    if (match[4] !== undefined) mark.requestReceivedAt = Number(match[4]);
    marks.push(mark);
  }
  return marks;
}

/** Counts which of the `expected` tokens 0…expected−1 of one conversation arrived, and how often. */
export class SequenceCheck {
  private readonly seen: Uint16Array;
  private received = 0;
  /** Seqs outside 0…expected−1: never sent by the provider, so corruption. */
  outOfRange = 0;

  constructor(readonly expected: number) {
    this.seen = new Uint16Array(expected);
  }

  see(seq: number): void {
    this.received += 1;
    if (!Number.isInteger(seq) || seq < 0 || seq >= this.expected) {
      this.outOfRange += 1;
      return;
    }
    const count = this.seen[seq] ?? 0;
    if (count < 0xffff) this.seen[seq] = count + 1;
  }

  /** Tokens received, duplicates included. */
  get total(): number {
    return this.received;
  }

  /** Tokens never received. */
  get lost(): number {
    let lost = 0;
    for (const count of this.seen) if (count === 0) lost += 1;
    return lost;
  }

  /** Extra copies of tokens received more than once. */
  get duplicated(): number {
    let duplicated = 0;
    for (const count of this.seen) if (count > 1) duplicated += count - 1;
    return duplicated;
  }
}

/** One round trip of a clock probe: local send, remote reading, local receipt. */
export interface ClockSample {
  sentAt: number;
  remoteAt: number;
  receivedAt: number;
}

/**
 * Remote clock minus local clock, from the round trip with the smallest delay (the NTP estimate:
 * the remote read its clock halfway through). Throws without samples.
 */
export function estimateClockOffset(samples: readonly ClockSample[]): {
  offsetMs: number;
  roundTripMs: number;
} {
  let best: ClockSample | undefined;
  for (const sample of samples) {
    if (!best || sample.receivedAt - sample.sentAt < best.receivedAt - best.sentAt) best = sample;
  }
  if (!best) throw new Error('no clock samples');
  return {
    offsetMs: best.remoteAt - (best.sentAt + best.receivedAt) / 2,
    roundTripMs: best.receivedAt - best.sentAt,
  };
}

/** Nearest-rank percentile of ascending `sorted` (`fraction` in 0…1); 0 when empty. */
export function percentile(sorted: ArrayLike<number>, fraction: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

/** The values sorted ascending, as a Float64Array (numeric order, unlike Array#sort's default). */
export function sorted(values: Iterable<number>): Float64Array {
  return Float64Array.from(values).sort();
}

/**
 * The largest number of intervals that overlap at one instant. An interval ending exactly when
 * another starts does not overlap it.
 */
export function maxOverlap(intervals: readonly { start: number; end: number }[]): number {
  const events: [time: number, change: number][] = [];
  for (const { start, end } of intervals) {
    if (end < start) continue;
    events.push([start, 1], [end, -1]);
  }
  // Ends before starts at the same instant.
  events.sort((left, right) => left[0] - right[0] || left[1] - right[1]);
  let current = 0;
  let peak = 0;
  for (const [, change] of events) {
    current += change;
    peak = Math.max(peak, current);
  }
  return peak;
}

/** `value` rounded to `digits` decimals, as a number (for the JSON line). */
export function round(value: number, digits = 2): number {
  return Number(value.toFixed(digits));
}
