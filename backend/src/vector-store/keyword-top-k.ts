import { type Bm25Parameters, bm25Weight, DecodedBlock } from './keyword-postings';

/** One query term as the top-k search reads it: its IDF and its blocks of postings. */
export interface TermPostings {
  /** The term's position among the query's distinct terms: scores are summed in this order. */
  slot: number;
  /** IDF, already multiplied by the term's repeats in the query. */
  idf: number;
  /** Per block, ascending: its key (no posting below it), its last chunk, its weight bound. */
  firsts: number[];
  lasts: number[];
  bounds: number[];
  /** The encoded postings of block `index`. */
  load(index: number): Uint8Array;
}

export interface TopKOptions {
  limit: number;
  parameters: Bm25Parameters;
  averageLength: number;
  /** When set, only chunks it accepts are ranked. */
  accept?: (chunk: number) => boolean;
}

/**
 * Comparisons of a bound against the threshold leave this much slack, so that a bound summed in
 * another order than the score it bounds never prunes a chunk that belongs in the top k.
 */
const SLACK = 1e-9;

/** A term's position in its postings, one decoded block at a time. */
class TermCursor {
  /** The current posting's chunk, Infinity once the postings are exhausted. */
  doc = Infinity;
  readonly maxWeight: number;
  private block = -1;
  private position = 0;
  private readonly decoded = new DecodedBlock();

  constructor(
    readonly source: TermPostings,
    private readonly parameters: Bm25Parameters,
    private readonly averageLength: number,
  ) {
    this.maxWeight = Math.max(0, ...source.bounds);
    this.enter(0);
  }

  weight(): number {
    return bm25Weight(
      this.source.idf,
      this.decoded.frequencies[this.position]!,
      this.decoded.lengths[this.position]!,
      this.parameters,
      this.averageLength,
    );
  }

  next(): void {
    if (++this.position < this.decoded.size) this.doc = this.decoded.chunks[this.position]!;
    else this.enter(this.block + 1);
  }

  /**
   * The weight bound of the block that would hold `target`, found without decoding anything: the
   * caller prunes on it before paying for `advanceTo`. Zero when no block can hold it.
   */
  boundAt(target: number): number {
    const { lasts, bounds } = this.source;
    let index = Math.max(this.block, 0);
    while (index < lasts.length && lasts[index]! < target) index++;
    return index < lasts.length ? bounds[index]! : 0;
  }

  /** Moves to the first posting at or after `target`, skipping whole blocks by their last chunk. */
  advanceTo(target: number): void {
    if (this.doc >= target) return;
    const { lasts } = this.source;
    if (lasts[this.block]! < target) {
      let index = this.block + 1;
      while (index < lasts.length && lasts[index]! < target) index++;
      this.enter(index);
      if (this.doc >= target) return;
    }
    const { chunks, size } = this.decoded;
    let position = this.position;
    while (position < size && chunks[position]! < target) position++;
    this.position = position;
    this.doc = chunks[position]!;
  }

  private enter(index: number): void {
    this.block = index;
    this.position = 0;
    if (index >= this.source.firsts.length) {
      this.doc = Infinity;
      this.decoded.size = 0;
      return;
    }
    this.decoded.decode(this.source.load(index), this.source.firsts[index]!);
    this.doc = this.decoded.chunks[0]!;
  }
}

/**
 * The `limit` best chunks by BM25, best first (ties: lower chunk id first), scored exactly as an
 * exhaustive sum over every posting would score them.
 *
 * MaxScore (Turtle and Flood), with block-max bounds: terms are ordered by their highest possible
 * weight; once the k-th best score exceeds what the weakest terms could add together, chunks are
 * only proposed by the other ("essential") terms, and the weak terms are looked up for those
 * chunks alone, skipping every block whose bound cannot lift the chunk into the top k. The
 * common words of a question, whose postings are most of the index, are then mostly skipped.
 */
export function topKByBm25(terms: TermPostings[], options: TopKOptions): [number, number][] {
  const { limit, parameters, averageLength, accept } = options;
  if (limit <= 0 || terms.length === 0) return [];
  const cursors = terms
    .map((term) => new TermCursor(term, parameters, averageLength))
    .sort((left, right) => left.maxWeight - right.maxWeight);
  // upTo[i]: the most that cursors 0..i can add together.
  const upTo: number[] = [];
  cursors.reduce((sum, cursor, index) => (upTo[index] = sum + cursor.maxWeight), 0);
  const slots = Math.max(...terms.map((term) => term.slot)) + 1;
  const contributions = new Float64Array(slots);
  const heap = new TopHeap(limit);
  let threshold = -Infinity;
  // Cursors below `essential` cannot, even together, lift a chunk above the threshold.
  let essential = 0;
  const cannotBeat = (bound: number) => bound + SLACK * (1 + Math.abs(bound)) < threshold;

  for (;;) {
    let doc = Infinity;
    for (let index = essential; index < cursors.length; index++) {
      doc = Math.min(doc, cursors[index]!.doc);
    }
    if (doc === Infinity) break;
    contributions.fill(0);
    let partial = 0;
    for (let index = essential; index < cursors.length; index++) {
      const cursor = cursors[index]!;
      if (cursor.doc !== doc) continue;
      const weight = cursor.weight();
      contributions[cursor.source.slot] = weight;
      partial += weight;
      cursor.next();
    }
    if (accept && !accept(doc)) continue;
    let pruned = false;
    for (let index = essential - 1; index >= 0; index--) {
      const below = index > 0 ? upTo[index - 1]! : 0;
      if (cannotBeat(partial + upTo[index]!)) {
        pruned = true;
        break;
      }
      const cursor = cursors[index]!;
      if (cannotBeat(partial + cursor.boundAt(doc) + below)) {
        pruned = true;
        break;
      }
      cursor.advanceTo(doc);
      if (cursor.doc === doc) {
        const weight = cursor.weight();
        contributions[cursor.source.slot] = weight;
        partial += weight;
      }
    }
    if (pruned) continue;
    // The same sum, in the same order, as scoring every posting term by term would make.
    let score = 0;
    for (let slot = 0; slot < slots; slot++) score += contributions[slot]!;
    if (!heap.offer(score, doc) || !heap.full) continue;
    threshold = heap.worstScore;
    while (essential < cursors.length && cannotBeat(upTo[essential]!)) essential++;
  }
  return heap.ranked();
}

/** The k best (score, chunk) pairs seen so far, the worst on top. */
class TopHeap {
  private readonly scores: number[] = [];
  private readonly chunks: number[] = [];

  constructor(private readonly capacity: number) {}

  get full(): boolean {
    return this.scores.length === this.capacity;
  }

  get worstScore(): number {
    return this.scores[0]!;
  }

  /** Keeps the pair if it is among the k best; true when it was kept. */
  offer(score: number, chunk: number): boolean {
    if (!this.full) {
      this.scores.push(score);
      this.chunks.push(chunk);
      this.siftUp(this.scores.length - 1);
      return true;
    }
    if (!this.worse(this.scores[0]!, this.chunks[0]!, score, chunk)) return false;
    this.scores[0] = score;
    this.chunks[0] = chunk;
    this.siftDown(0);
    return true;
  }

  ranked(): [number, number][] {
    return this.chunks
      .map((chunk, index): [number, number] => [chunk, this.scores[index]!])
      .sort((left, right) => right[1] - left[1] || left[0] - right[0]);
  }

  /** Lower score, or the same score and a higher chunk id. */
  private worse(score: number, chunk: number, otherScore: number, otherChunk: number): boolean {
    return score < otherScore || (score === otherScore && chunk > otherChunk);
  }

  private isWorseAt(left: number, right: number): boolean {
    return this.worse(
      this.scores[left]!,
      this.chunks[left]!,
      this.scores[right]!,
      this.chunks[right]!,
    );
  }

  private swap(left: number, right: number): void {
    [this.scores[left], this.scores[right]] = [this.scores[right]!, this.scores[left]!];
    [this.chunks[left], this.chunks[right]] = [this.chunks[right]!, this.chunks[left]!];
  }

  private siftUp(start: number): void {
    let index = start;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.isWorseAt(index, parent)) break;
      this.swap(index, parent);
      index = parent;
    }
  }

  private siftDown(start: number): void {
    let index = start;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let worst = index;
      if (left < this.scores.length && this.isWorseAt(left, worst)) worst = left;
      if (right < this.scores.length && this.isWorseAt(right, worst)) worst = right;
      if (worst === index) return;
      this.swap(index, worst);
      index = worst;
    }
  }
}
