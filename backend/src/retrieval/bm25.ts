import { analyze } from './text';

export interface Bm25Parameters {
  /** Term-frequency saturation. */
  k1: number;
  /** Length normalisation: 0 ignores length, 1 normalises fully. */
  b: number;
}

/** The usual Lucene defaults; the retrieval benchmark tunes them. */
export const DEFAULT_BM25: Bm25Parameters = { k1: 1.2, b: 0.75 };

interface Posting {
  key: string;
  frequency: number;
}

/**
 * An in-memory BM25 index over string keys. Adding a key again replaces its earlier text, so
 * re-indexing a changed chunk never counts it twice.
 */
export class Bm25Index {
  private readonly postings = new Map<string, Posting[]>();
  private readonly lengths = new Map<string, number>();
  private readonly termsOf = new Map<string, string[]>();
  private totalLength = 0;

  constructor(private readonly parameters: Bm25Parameters = DEFAULT_BM25) {}

  get size(): number {
    return this.lengths.size;
  }

  add(key: string, text: string): void {
    this.remove(key);
    const terms = analyze(text);
    const frequencies = new Map<string, number>();
    for (const term of terms) frequencies.set(term, (frequencies.get(term) ?? 0) + 1);
    for (const [term, frequency] of frequencies) {
      const list = this.postings.get(term);
      if (list) list.push({ key, frequency });
      else this.postings.set(term, [{ key, frequency }]);
    }
    this.lengths.set(key, terms.length);
    this.termsOf.set(key, [...frequencies.keys()]);
    this.totalLength += terms.length;
  }

  remove(key: string): void {
    const terms = this.termsOf.get(key);
    if (!terms) return;
    for (const term of terms) {
      const remaining = (this.postings.get(term) ?? []).filter((posting) => posting.key !== key);
      if (remaining.length > 0) this.postings.set(term, remaining);
      else this.postings.delete(term);
    }
    this.totalLength -= this.lengths.get(key) ?? 0;
    this.lengths.delete(key);
    this.termsOf.delete(key);
  }

  search(query: string, limit: number): { key: string; score: number }[] {
    const count = this.lengths.size;
    if (count === 0) return [];
    const averageLength = this.totalLength / count || 1;
    const { k1, b } = this.parameters;
    const scores = new Map<string, number>();
    for (const term of new Set(analyze(query))) {
      const list = this.postings.get(term);
      if (!list) continue;
      const idf = Math.log(1 + (count - list.length + 0.5) / (list.length + 0.5));
      for (const { key, frequency } of list) {
        const length = this.lengths.get(key) ?? 0;
        const weight =
          (idf * frequency * (k1 + 1)) / (frequency + k1 * (1 - b + (b * length) / averageLength));
        scores.set(key, (scores.get(key) ?? 0) + weight);
      }
    }
    return [...scores]
      .map(([key, score]) => ({ key, score }))
      .sort((left, right) => right.score - left.score || left.key.localeCompare(right.key))
      .slice(0, limit);
  }
}
