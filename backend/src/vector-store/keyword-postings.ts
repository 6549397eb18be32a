/**
 * The on-disk form of the embedded store's keyword postings: each term's postings are cut into
 * blocks of consecutive chunk ids, and each block is one row holding its postings as varints and
 * the upper bound of the scores they can reach.
 */

/** Postings per block: the unit read, decoded and skipped at query time. */
export const BLOCK_SIZE = 128;

/** One term's postings in a block, in ascending chunk order. */
export interface Postings {
  chunks: number[];
  frequencies: number[];
  lengths: number[];
}

export interface Bm25Parameters {
  /** Term-frequency saturation. */
  k1: number;
  /** Length normalisation: 0 ignores length, 1 normalises fully. */
  b: number;
}

/**
 * The BM25 weight of one posting. Kept as one function, in this exact arithmetic order, so that
 * bounds and scores agree to the last bit with each other and with earlier versions' rankings.
 */
export function bm25Weight(
  idf: number,
  frequency: number,
  length: number,
  { k1, b }: Bm25Parameters,
  averageLength: number,
): number {
  return (idf * frequency * (k1 + 1)) / (frequency + k1 * (1 - b + (b * length) / averageLength));
}

/** Lucene's BM25 IDF, never negative, counted once per repeat of the term in the query. */
export function bm25Idf(repeats: number, chunkCount: number, termChunks: number): number {
  return repeats * Math.log(1 + (chunkCount - termChunks + 0.5) / (termChunks + 0.5));
}

const scratch = new Uint8Array(BLOCK_SIZE * 3 * 5 + 16);

function writeVarint(value: number, at: number): number {
  let rest = value;
  let position = at;
  while (rest >= 0x80) {
    scratch[position++] = (rest % 0x80) | 0x80;
    rest = Math.floor(rest / 0x80);
  }
  scratch[position++] = rest;
  return position;
}

/** Chunk ids as gaps from `first` (the block's key), each followed by frequency and length. */
export function encodePostings(postings: Postings, first: number): Buffer {
  let position = 0;
  let previous = first;
  for (let index = 0; index < postings.chunks.length; index++) {
    const chunk = postings.chunks[index]!;
    position = writeVarint(chunk - previous, position);
    position = writeVarint(postings.frequencies[index]!, position);
    position = writeVarint(postings.lengths[index]!, position);
    previous = chunk;
  }
  return Buffer.from(scratch.subarray(0, position));
}

/** Reusable typed arrays a query decodes one block into, without allocating per block. */
export class DecodedBlock {
  readonly chunks = new Float64Array(BLOCK_SIZE);
  readonly frequencies = new Uint32Array(BLOCK_SIZE);
  readonly lengths = new Uint32Array(BLOCK_SIZE);
  size = 0;

  decode(bytes: Uint8Array, first: number): void {
    const reader = new VarintReader(bytes);
    let chunk = first;
    let size = 0;
    while (!reader.done) {
      chunk += reader.next();
      this.chunks[size] = chunk;
      this.frequencies[size] = reader.next();
      this.lengths[size] = reader.next();
      size++;
    }
    this.size = size;
  }
}

/** Reads unsigned LEB128 varints in sequence. */
class VarintReader {
  private position = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.position >= this.bytes.length;
  }

  next(): number {
    let value = 0;
    let scale = 1;
    let byte: number;
    do {
      byte = this.bytes[this.position++]!;
      value += (byte & 0x7f) * scale;
      scale *= 0x80;
    } while (byte >= 0x80);
    return value;
  }
}

const decodeScratch = new DecodedBlock();

export function decodePostings(bytes: Uint8Array, first: number): Postings {
  const block = decodeScratch;
  block.decode(bytes, first);
  return {
    chunks: Array.from(block.chunks.subarray(0, block.size)),
    frequencies: Array.from(block.frequencies.subarray(0, block.size)),
    lengths: Array.from(block.lengths.subarray(0, block.size)),
  };
}

/**
 * A block's score bound: the (frequency, length) pairs no other posting beats on both counts.
 * BM25 grows with frequency and falls with length whatever k1, b and the average length, so the
 * best of these pairs is the block's exact maximum under any parameters and any later average
 * length, and the bound never goes stale while the corpus changes around the block.
 */
export function encodeBound({ frequencies, lengths }: Omit<Postings, 'chunks'>): Buffer {
  const order = frequencies
    .map((frequency, index) => [frequency, lengths[index]!] as const)
    .sort((left, right) => right[0] - left[0] || left[1] - right[1]);
  let position = 0;
  let shortest = Infinity;
  for (const [frequency, length] of order) {
    if (length >= shortest) continue;
    shortest = length;
    position = writeVarint(frequency, position);
    position = writeVarint(length, position);
  }
  return Buffer.from(scratch.subarray(0, position));
}

/** The pairs of an encoded bound, as frequencies and lengths. */
export function decodeBound(bound: Uint8Array): Omit<Postings, 'chunks'> {
  const frequencies: number[] = [];
  const lengths: number[] = [];
  const reader = new VarintReader(bound);
  while (!reader.done) {
    frequencies.push(reader.next());
    lengths.push(reader.next());
  }
  return { frequencies, lengths };
}

/** Distinct term ids of a chunk, ascending, as varint gaps: what deleting the chunk needs. */
export function encodeTermIds(ids: number[]): Buffer {
  const sorted = [...ids].sort((left, right) => left - right);
  const bytes: number[] = [];
  let previous = 0;
  for (const id of sorted) {
    let rest = id - previous;
    while (rest >= 0x80) {
      bytes.push((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    bytes.push(rest);
    previous = id;
  }
  return Buffer.from(bytes);
}

export function decodeTermIds(bytes: Uint8Array): number[] {
  const ids: number[] = [];
  const reader = new VarintReader(bytes);
  let previous = 0;
  while (!reader.done) {
    previous += reader.next();
    ids.push(previous);
  }
  return ids;
}
