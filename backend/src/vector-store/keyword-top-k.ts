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

/**
 * A term's position in its postings. Blocks are decoded only when a chunk in them must be scored:
 * until then the cursor sits on a block with `doc` as a lower bound ("pending").
 */
class TermCursor {
  /** The current posting's chunk; while pending, a lower bound of it; Infinity when exhausted. */
  doc = Infinity;
  private block = 0;
  private decodedBlock = -1;
  private position = 0;
  private readonly decoded = new DecodedBlock();

  constructor(
    readonly source: TermPostings,
    private readonly parameters: Bm25Parameters,
    private readonly averageLength: number,
  ) {
    this.doc = source.firsts.length > 0 ? source.firsts[0]! : Infinity;
  }

  get pending(): boolean {
    return this.decodedBlock !== this.block && this.doc !== Infinity;
  }

  /** The last chunk of the block the cursor is on. */
  get blockEnd(): number {
    return this.source.lasts[this.block] ?? Infinity;
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

  /** Moves past the current posting (which must be decoded). */
  next(): void {
    if (++this.position < this.decoded.size) {
      this.doc = this.decoded.chunks[this.position]!;
      return;
    }
    this.block++;
    this.doc = this.source.firsts[this.block] ?? Infinity;
  }

  /** Moves onto the block that may hold `target` or what follows it, decoding nothing new. */
  skipTo(target: number): void {
    if (this.doc >= target) return;
    if (this.decodedBlock === this.block && this.blockEnd >= target) {
      this.seekInBlock(target);
      return;
    }
    const { lasts, firsts } = this.source;
    let index = this.block;
    while (index < lasts.length && lasts[index]! < target) index++;
    this.block = index;
    this.doc = index < lasts.length ? Math.max(firsts[index]!, target) : Infinity;
  }

  /** Moves to the first posting at or after `target`, decoding its block. */
  advanceTo(target: number): void {
    this.skipTo(target);
    if (this.pending) this.materialize();
  }

  /** Decodes the block the cursor is on and moves to the first posting at or after `doc`. */
  materialize(): void {
    const target = this.doc;
    this.decoded.decode(this.source.load(this.block), this.source.firsts[this.block]!);
    this.decodedBlock = this.block;
    this.position = 0;
    this.seekInBlock(target);
  }

  /** The highest weight the term can give a chunk in [start, end]. */
  boundWithin(start: number, end: number): number {
    const { firsts, lasts, bounds } = this.source;
    let index = this.block;
    while (index < lasts.length && lasts[index]! < start) index++;
    let bound = 0;
    for (; index < firsts.length && firsts[index]! <= end; index++) {
      bound = Math.max(bound, bounds[index]!);
    }
    return bound;
  }

  private seekInBlock(target: number): void {
    const { chunks, size } = this.decoded;
    let position = this.position;
    while (position < size && chunks[position]! < target) position++;
    this.position = position;
    // A block's last posting is at least `target` whenever this is called.
    this.doc = chunks[position]!;
  }
}

/** The most chunk ids one window spans: the size of its score arrays. */
const WINDOW = 4096;
/**
 * The fewest chunk ids a window spans. Windows cut at every block end were a few hundred ids wide
 * at 100,000 chunks and cost more to plan than they saved; bounds over a few blocks are hardly
 * looser, since a block's bound is close to its term's (measured: 2,048 ran fastest of 1 to 4,096).
 */
const MIN_WINDOW = 2048;

/**
 * The `limit` best chunks by BM25, best first (ties: lower chunk id first), scored exactly as an
 * exhaustive sum over every posting would score them.
 *
 * Block-max MaxScore in windows, as Lucene's MaxScoreBulkScorer does (after Turtle and Flood's
 * MaxScore): the chunk ids are walked in windows that end where some term's block ends. In each
 * window every term's weight is bounded by its blocks there; the terms that cannot, even together,
 * lift a chunk above the k-th best score so far are "non-essential". A window with no essential
 * term is skipped without decoding a block. Otherwise the essential terms' postings in the window
 * are summed term at a time into per-chunk arrays, and each chunk they reach is completed from the
 * non-essential terms, strongest first, until what remains cannot lift it into the top k. The
 * common words of a question, whose postings are most of the index, are then mostly skipped.
 */
export function topKByBm25(terms: TermPostings[], options: TopKOptions): [number, number][] {
  const { limit, parameters, averageLength, accept } = options;
  if (limit <= 0 || terms.length === 0) return [];
  const cursors = terms.map((term) => new TermCursor(term, parameters, averageLength));
  const slots = Math.max(...terms.map((term) => term.slot)) + 1;
  // Per chunk of the window: the essential terms' sum, each term's weight (by slot), presence bits.
  const partials = new Float64Array(WINDOW);
  const weights = new Float64Array(slots * WINDOW);
  const present = new Uint32Array(WINDOW / 32);
  const heap = new TopHeap(limit);
  let threshold = -Infinity;
  const cannotBeat = (bound: number) => bound + SLACK * (1 + Math.abs(bound)) < threshold;
  const windowBounds = new Float64Array(cursors.length);
  // upTo[i]: the most that the window's i + 1 weakest terms can add together.
  const upTo = new Float64Array(cursors.length);
  const order = Int32Array.from(cursors, (_, index) => index);

  /** Completes and ranks the chunk at `offset` of the window, then clears its entries. */
  const evaluate = (doc: number, offset: number, essential: number) => {
    let partial = partials[offset]!;
    let pruned = accept !== undefined && !accept(doc);
    for (let rank = essential - 1; rank >= 0 && !pruned; rank--) {
      if (cannotBeat(partial + upTo[rank]!)) {
        pruned = true;
        break;
      }
      const cursor = cursors[order[rank]!]!;
      cursor.advanceTo(doc);
      if (cursor.doc === doc) {
        const weight = cursor.weight();
        weights[cursor.source.slot * WINDOW + offset] = weight;
        partial += weight;
      }
    }
    // The same sum, in the same order, as scoring every posting term by term would make.
    let score = 0;
    for (let slot = 0, at = offset; slot < slots; slot++, at += WINDOW) {
      score += weights[at]!;
      weights[at] = 0;
    }
    partials[offset] = 0;
    if (pruned || !heap.offer(score, doc) || !heap.full) return;
    threshold = heap.worstScore;
  };

  let start = 0;
  for (;;) {
    let end = Infinity;
    for (const cursor of cursors) {
      cursor.skipTo(start);
      if (cursor.doc !== Infinity) end = Math.min(end, cursor.blockEnd);
    }
    if (end === Infinity) break;
    end = Math.min(Math.max(end, start + MIN_WINDOW - 1), start + WINDOW - 1);
    cursors.forEach((cursor, index) => (windowBounds[index] = cursor.boundWithin(start, end)));
    sortByBound(order, windowBounds);
    order.reduce((sum, cursor, rank) => (upTo[rank] = sum + windowBounds[cursor]!), 0);
    let essential = 0;
    while (essential < order.length && cannotBeat(upTo[essential]!)) essential++;
    if (essential === order.length) {
      start = end + 1;
      continue;
    }
    for (let rank = essential; rank < order.length; rank++) {
      const cursor = cursors[order[rank]!]!;
      const base = cursor.source.slot * WINDOW;
      for (;;) {
        if (cursor.doc > end) break;
        if (cursor.pending) {
          cursor.materialize();
          if (cursor.doc > end) break;
        }
        const offset = cursor.doc - start;
        const weight = cursor.weight();
        partials[offset] = partials[offset]! + weight;
        weights[base + offset] = weight;
        present[offset >>> 5] = present[offset >>> 5]! | (1 << (offset & 31));
        cursor.next();
      }
    }
    const words = (end - start + 32) >>> 5;
    for (let word = 0; word < words; word++) {
      let bits = present[word]!;
      present[word] = 0;
      while (bits !== 0) {
        const offset = (word << 5) | (31 - Math.clz32(bits & -bits));
        bits &= bits - 1;
        evaluate(start + offset, offset, essential);
      }
    }
    start = end + 1;
  }
  return heap.ranked();
}

/**
 * The same ranking as topKByBm25 by scoring every posting of every query term, term by term: what
 * a query cost before pruning. `npm run bench:retrieval` measures pruning against it in the same
 * run (the rankings must be equal; the time is what pruning saves). Scores are summed in slot
 * order, as topKByBm25 sums them, so both give the same scores to the last bit.
 */
export function topKExhaustive(terms: TermPostings[], options: TopKOptions): [number, number][] {
  const { limit, parameters, averageLength, accept } = options;
  if (limit <= 0 || terms.length === 0) return [];
  const end = Math.max(...terms.map((term) => term.lasts.at(-1) ?? -1)) + 1;
  const scores = new Float64Array(end);
  const matched = new Uint8Array(end);
  const block = new DecodedBlock();
  for (const term of [...terms].sort((left, right) => left.slot - right.slot)) {
    for (let index = 0; index < term.firsts.length; index++) {
      block.decode(term.load(index), term.firsts[index]!);
      for (let position = 0; position < block.size; position++) {
        const chunk = block.chunks[position]!;
        scores[chunk] =
          scores[chunk]! +
          bm25Weight(
            term.idf,
            block.frequencies[position]!,
            block.lengths[position]!,
            parameters,
            averageLength,
          );
        matched[chunk] = 1;
      }
    }
  }
  const heap = new TopHeap(limit);
  for (let chunk = 0; chunk < end; chunk++) {
    if (matched[chunk] === 1 && (accept === undefined || accept(chunk))) {
      heap.offer(scores[chunk]!, chunk);
    }
  }
  return heap.ranked();
}

/** Orders term indexes by their bounds, ascending: insertion sort, as there are few. */
function sortByBound(order: Int32Array, bounds: Float64Array): void {
  for (let next = 1; next < order.length; next++) {
    const moving = order[next]!;
    let at = next;
    while (at > 0 && bounds[order[at - 1]!]! > bounds[moving]!) {
      order[at] = order[at - 1]!;
      at--;
    }
    order[at] = moving;
  }
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
