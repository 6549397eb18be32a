import { buildStats, percentile, sinceDays } from './stats';

describe('stats', () => {
  const now = Date.UTC(2026, 4, 20, 15);

  it('starts the period at midnight UTC of its first day', () => {
    expect(new Date(sinceDays(1, now)).toISOString()).toBe('2026-05-20T00:00:00.000Z');
    expect(new Date(sinceDays(7, now)).toISOString()).toBe('2026-05-14T00:00:00.000Z');
  });

  it('takes the nearest-rank percentile', () => {
    expect(percentile([], 0.95)).toBeNull();
    expect(percentile([5], 0.95)).toBe(5);
    const hundred = Array.from({ length: 100 }, (_, index) => 100 - index);
    expect(percentile(hundred, 0.95)).toBe(95);
    expect(percentile([1, 2, 3, 4, 1000], 0.95)).toBe(1000);
  });

  it('fills days without questions with zeros and adds the totals up', () => {
    const day = {
      day: '2026-05-19',
      questions: 3,
      answered: 2,
      notFound: 1,
      errors: 0,
      cancelled: 0,
      ratedUp: 1,
      ratedDown: 0,
      inputTokens: 100,
      outputTokens: 10,
      costUsd: 0.5,
    };
    const stats = buildStats(
      3,
      now,
      [day],
      [
        { day: '2026-05-19', ms: 100 },
        { day: '2026-05-19', ms: 300 },
        { day: '2026-05-20', ms: 50 },
      ],
    );
    expect(stats.days.map((each) => each.day)).toEqual(['2026-05-18', '2026-05-19', '2026-05-20']);
    expect(stats.days[0]).toMatchObject({ questions: 0, firstTokenP95Ms: null });
    expect(stats.days[1]).toMatchObject({ questions: 3, tokens: 110, firstTokenP95Ms: 300 });
    expect(stats.days[2]).toMatchObject({ questions: 0, firstTokenP95Ms: 50 });
    expect(stats.totals).toMatchObject({
      questions: 3,
      notFound: 1,
      tokens: 110,
      costUsd: 0.5,
      firstTokenP95Ms: 300,
    });
  });
});
