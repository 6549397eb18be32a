import { mrrAt, ndcgAt, percentile, recallAt } from './beir';

describe('BEIR metrics (pytrec_eval definitions)', () => {
  const judged = new Map([
    ['a', 1],
    ['b', 2],
  ]);

  it('computes nDCG@k with linear gains against the ideal order', () => {
    expect(ndcgAt(10, ['b', 'a'], judged)).toBeCloseTo(1);
    const dcg = 1 / Math.log2(2) + 2 / Math.log2(3);
    const ideal = 2 / Math.log2(2) + 1 / Math.log2(3);
    expect(ndcgAt(10, ['a', 'b'], judged)).toBeCloseTo(dcg / ideal);
    expect(ndcgAt(1, ['x', 'b'], judged)).toBe(0);
  });

  it('computes recall@k and MRR@k', () => {
    expect(recallAt(1, ['a', 'b'], judged)).toBe(0.5);
    expect(recallAt(10, ['x', 'a', 'b'], judged)).toBe(1);
    expect(mrrAt(10, ['x', 'y', 'b'], judged)).toBeCloseTo(1 / 3);
    expect(mrrAt(2, ['x', 'y', 'b'], judged)).toBe(0);
  });

  it('takes nearest-rank percentiles', () => {
    const sorted = Array.from({ length: 100 }, (_, index) => index + 1);
    expect(percentile(sorted, 0.5)).toBe(50);
    expect(percentile(sorted, 0.95)).toBe(95);
    expect(percentile([], 0.95)).toBe(0);
  });
});
