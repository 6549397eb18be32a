import { backoffCeilingMs, retryAfterMs } from './retry-timing';

describe('retryAfterMs', () => {
  const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');

  it('reads delay-seconds, whole or fractional, as whole milliseconds', () => {
    expect(retryAfterMs('2')).toBe(2000);
    expect(retryAfterMs(' 0.5 ')).toBe(500);
    expect(retryAfterMs('0.0004')).toBe(1);
  });

  it('reads an HTTP date as the time left until it, never below zero', () => {
    expect(retryAfterMs('Wed, 21 Oct 2026 07:28:03 GMT', now)).toBe(3000);
    expect(retryAfterMs('Wed, 21 Oct 2026 07:27:00 GMT', now)).toBe(0);
  });

  it('is undefined when there is no value or it is not a time', () => {
    expect(retryAfterMs(undefined)).toBeUndefined();
    expect(retryAfterMs(null)).toBeUndefined();
    expect(retryAfterMs('  ')).toBeUndefined();
    expect(retryAfterMs('soon')).toBeUndefined();
    expect(retryAfterMs('-5')).toBeUndefined();
  });
});

describe('backoffCeilingMs', () => {
  it('doubles from the base with each retry, up to the cap', () => {
    expect([1, 2, 3, 4].map((retry) => backoffCeilingMs(250, retry))).toEqual([
      250, 500, 1000, 2000,
    ]);
    expect(backoffCeilingMs(250, 10, 4000)).toBe(4000);
  });
});
