import { type ScoredChunk } from '../vector-store/chunk';

export interface RankedList {
  hits: ScoredChunk[];
  weight: number;
}

/**
 * Weighted reciprocal rank fusion: a chunk scores Σ weight / (k + rank) over the lists it appears
 * in (rank from 1). It needs no score calibration between BM25 and cosine, which live on unrelated
 * scales; `k` damps the advantage of the very top ranks.
 */
export function reciprocalRankFusion(lists: RankedList[], k: number): ScoredChunk[] {
  const fused = new Map<string, ScoredChunk>();
  for (const { hits, weight } of lists) {
    if (weight === 0) continue;
    hits.forEach(({ chunk }, index) => {
      const contribution = weight / (k + index + 1);
      const existing = fused.get(chunk.id);
      if (existing) existing.score += contribution;
      else fused.set(chunk.id, { chunk, score: contribution });
    });
  }
  return [...fused.values()].sort(
    (left, right) => right.score - left.score || left.chunk.id.localeCompare(right.chunk.id),
  );
}

/**
 * Drops chunks that repeat a better-ranked one: the same text (a page published under two URLs, a
 * footer repeated on every page) or nearly the same words (Jaccard similarity of their word sets at
 * or above `threshold`). Passages that say the same thing waste the answerer's context. Words are
 * compared unstemmed: stemming would cost more than the whole search and changes nothing here.
 */
export function collapseNearDuplicates(ranked: ScoredChunk[], threshold: number): ScoredChunk[] {
  const kept: { hit: ScoredChunk; terms: Set<string> }[] = [];
  for (const hit of ranked) {
    const terms = new Set(hit.chunk.text.toLowerCase().match(/[\p{L}\p{N}]+/gu));
    const duplicate = kept.some(
      (other) =>
        other.hit.chunk.contentHash === hit.chunk.contentHash ||
        jaccard(other.terms, terms) >= threshold,
    );
    if (!duplicate) kept.push({ hit, terms });
  }
  return kept.map(({ hit }) => hit);
}

function jaccard(left: Set<string>, right: Set<string>): number {
  if (left.size === 0 && right.size === 0) return 1;
  let shared = 0;
  for (const term of left) if (right.has(term)) shared++;
  return shared / (left.size + right.size - shared);
}
