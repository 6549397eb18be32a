/**
 * When to try a request again, for every client that retries (LLM providers, the crawler): one
 * reading of a server's Retry-After and one exponential backoff.
 */

/**
 * A Retry-After value (RFC 9110: delay-seconds or an HTTP date) in whole milliseconds from `now`.
 * Fractional seconds, which some API gateways send, are accepted. Undefined when there is no value
 * or it is not a time.
 */
export function retryAfterMs(
  value: string | null | undefined,
  now = Date.now(),
): number | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  // Every HTTP-date form starts with the day's name; Date.parse alone would take "-5" for a year.
  if (!/^[A-Za-z]/.test(text)) return undefined;
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * The longest pause before retry number `retry` (1-based): `baseMs` doubled for each retry after
 * the first, never over `capMs`. Callers that retry on behalf of many clients at once draw their
 * pause at random below it ("full jitter"), so that those retries do not arrive together.
 */
export function backoffCeilingMs(baseMs: number, retry: number, capMs = Infinity): number {
  return Math.min(capMs, baseMs * 2 ** (retry - 1));
}
