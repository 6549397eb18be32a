import { providerRetryAfterMs } from './llm-error';

const headers = (values: Record<string, string>) => new Headers(values);

describe('providerRetryAfterMs', () => {
  it('reads retry-after-ms first, then retry-after in seconds', () => {
    expect(providerRetryAfterMs(headers({ 'retry-after-ms': '120.4', 'retry-after': '9' }))).toBe(
      121,
    );
    expect(providerRetryAfterMs(headers({ 'retry-after': '2' }))).toBe(2000);
    expect(providerRetryAfterMs(headers({ 'retry-after': '0.5' }))).toBe(500);
  });

  it('reads retry-after as an HTTP date, never below zero', () => {
    const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
    expect(
      providerRetryAfterMs(headers({ 'retry-after': 'Wed, 21 Oct 2026 07:28:03 GMT' }), now),
    ).toBe(3000);
    expect(
      providerRetryAfterMs(headers({ 'retry-after': 'Wed, 21 Oct 2026 07:27:00 GMT' }), now),
    ).toBe(0);
  });

  it('is undefined without the headers, or when they hold no time', () => {
    expect(providerRetryAfterMs(undefined)).toBeUndefined();
    expect(providerRetryAfterMs(headers({}))).toBeUndefined();
    expect(providerRetryAfterMs(headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(providerRetryAfterMs(headers({ 'retry-after-ms': '-5' }))).toBeUndefined();
  });
});
