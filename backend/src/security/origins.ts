import { type SiteOrigins } from '../config/sites';

/** Whether `origin` (the browser's Origin header) may use the chat of `siteKey`. */
export function isOriginAllowed(sites: SiteOrigins, siteKey: string, origin: string): boolean {
  const patterns = sites.get(siteKey);
  if (!patterns) return false;
  const candidate = origin.toLowerCase();
  return patterns.some((pattern) => toRegExp(pattern).test(candidate));
}

function toRegExp(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  const source = escaped
    .replace(/^(https?:\/\/)\*\\\./, '$1(?:[a-z0-9-]+\\.)+')
    .replace(/:\*$/, '(?::\\d{1,5})?');
  return new RegExp(`^${source}$`);
}
