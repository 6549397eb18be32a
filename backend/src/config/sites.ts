/**
 * Which pages may host the chat: each site key with the origins its widget may run on. Parsed from
 * SITES (`key=origin,origin;key=origin`). An origin is exact (`https://example.com`), may allow any
 * port (`http://localhost:*`) or any subdomain (`https://*.example.com`); nothing else is a pattern,
 * so a typo cannot silently open a site to the whole web.
 */
export type SiteOrigins = ReadonlyMap<string, readonly string[]>;

export const DEFAULT_SITES = 'demo=http://localhost:*,http://127.0.0.1:*';

const SITE_KEY = /^[\w-]{1,64}$/;
const ORIGIN_PATTERN = /^https?:\/\/(\*\.)?[a-z0-9-]+(\.[a-z0-9-]+)*(:(\d{1,5}|\*))?$/;

/** Parses SITES; throws an Error whose message says what is wrong, for the config validator. */
export function parseSites(value: string): SiteOrigins {
  const sites = new Map<string, string[]>();
  for (const entry of value.split(';').map((part) => part.trim())) {
    if (entry === '') continue;
    const [key = '', origins = '', ...rest] = entry.split('=').map((part) => part.trim());
    if (!SITE_KEY.test(key) || rest.length > 0) {
      throw new Error(
        `has a bad entry "${entry}": expected key=origin,origin (key: letters, digits, _ or -)`,
      );
    }
    const patterns = origins.split(',').map((origin) => origin.trim().toLowerCase());
    for (const pattern of patterns) {
      if (!ORIGIN_PATTERN.test(pattern)) {
        throw new Error(
          `has a bad origin "${pattern}" for site "${key}": expected scheme://host[:port], with * only as a whole port or a leading subdomain`,
        );
      }
    }
    sites.set(key, [...(sites.get(key) ?? []), ...patterns]);
  }
  if (sites.size === 0) throw new Error('must declare at least one site');
  return sites;
}
