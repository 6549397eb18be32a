import {
  benchTag,
  estimateClockOffset,
  formatToken,
  maxOverlap,
  parseBenchTag,
  parseTokens,
  percentile,
  SequenceCheck,
  sorted,
} from './chat-stats';

describe('bench:chat helpers', () => {
  it('reads back the tag a question carries, the last one when several', () => {
    expect(parseBenchTag(`How do I deploy? ${benchTag(17, 200)}`)).toEqual({
      conversation: 17,
      tokens: 200,
    });
    expect(parseBenchTag('a source quoting [bench 1/5]\n\nQuestion: q [bench 2/9]')).toEqual({
      conversation: 2,
      tokens: 9,
    });
    expect(parseBenchTag('no tag [bench 3]')).toBeUndefined();
  });

  it('round-trips token marks, the first with its request time, across merged chunks', () => {
    const first = formatToken({
      conversation: 4,
      seq: 0,
      sentAt: 1764150000123.457,
      requestReceivedAt: 1764150000020.5,
    });
    const second = formatToken({ conversation: 4, seq: 1, sentAt: 1764150000143.25 });
    expect(parseTokens(first + second)).toEqual([
      { conversation: 4, seq: 0, sentAt: 1764150000123.457, requestReceivedAt: 1764150000020.5 },
      { conversation: 4, seq: 1, sentAt: 1764150000143.25 },
    ]);
    expect(parseTokens('plain text')).toEqual([]);
  });

  it('counts lost, duplicated and impossible tokens of a conversation', () => {
    const check = new SequenceCheck(5);
    for (const seq of [0, 1, 1, 3, 3, 3, 7]) check.see(seq);
    expect(check.total).toBe(7);
    expect(check.lost).toBe(2); // 2 and 4
    expect(check.duplicated).toBe(3); // one extra 1, two extra 3
    expect(check.outOfRange).toBe(1);
    const complete = new SequenceCheck(3);
    [0, 1, 2].forEach((seq) => complete.see(seq));
    expect([complete.lost, complete.duplicated, complete.outOfRange]).toEqual([0, 0, 0]);
  });

  it('estimates a clock offset from the fastest round trip', () => {
    const { offsetMs, roundTripMs } = estimateClockOffset([
      { sentAt: 0, remoteAt: 30, receivedAt: 20 }, // slow: says 20
      { sentAt: 100, remoteAt: 106, receivedAt: 102 }, // fast: remote read at 101, so +5
    ]);
    expect(offsetMs).toBe(5);
    expect(roundTripMs).toBe(2);
    expect(() => estimateClockOffset([])).toThrow('no clock samples');
  });

  it('takes nearest-rank percentiles of numerically sorted values', () => {
    const values = sorted([10, 9, 1, 100, 2, 3, 4, 5, 6, 7, 8]);
    expect(Array.from(values.slice(0, 3))).toEqual([1, 2, 3]);
    expect(values.at(-1)).toBe(100);
    const hundred = sorted(Array.from({ length: 100 }, (_, index) => 100 - index));
    expect(percentile(hundred, 0.5)).toBe(50);
    expect(percentile(hundred, 0.99)).toBe(99);
    expect(percentile(new Float64Array(0), 0.5)).toBe(0);
  });

  it('finds the most intervals open at one instant', () => {
    expect(
      maxOverlap([
        { start: 0, end: 10 },
        { start: 5, end: 15 },
        { start: 10, end: 20 }, // starts as the first ends: not three at once
        { start: 12, end: 13 },
      ]),
    ).toBe(3);
    expect(maxOverlap([])).toBe(0);
  });
});
