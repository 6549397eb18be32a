/**
 * One spelling per page, so a page linked as `/a`, `/a#intro` and `/a?utm_source=mail` is fetched
 * once and indexed under one URL.
 */

/** Query parameters that only track where a visitor came from; they never change the page. */
const TRACKING_PARAMETER =
  /^(utm_\w+|gclid|gbraid|wbraid|dclid|fbclid|msclkid|mc_cid|mc_eid|_ga|_gl|yclid|igshid)$/i;

/**
 * The normalised absolute http(s) URL of `raw` (resolved against `base`), or undefined when it is
 * not a web page address (mailto:, javascript:, malformed). Fragments and tracking parameters are
 * dropped and the remaining parameters sorted; the scheme and host are lower-cased and default ports
 * removed by the WHATWG URL parser. Trailing slashes are kept: `/docs` and `/docs/` may be
 * different pages, and real duplicates are caught by their canonical link or content hash.
 */
export function normalizeUrl(raw: string, base?: string | URL): string | undefined {
  let url: URL;
  try {
    url = new URL(raw.trim(), base);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  url.hash = '';
  url.username = '';
  url.password = '';
  const kept = [...url.searchParams].filter(([name]) => !TRACKING_PARAMETER.test(name));
  kept.sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
  url.search = kept.length > 0 ? new URLSearchParams(kept).toString() : '';
  if (url.hostname.endsWith('.')) url.hostname = url.hostname.slice(0, -1);
  return url.href;
}
