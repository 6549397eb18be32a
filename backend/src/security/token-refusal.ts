import { type TokenRefusalReason, type VisitorTokenRefusal } from '@lorechat/contracts';
import { type SiteOrigins } from '../config/sites';
import { isOriginAllowed } from './origins';

/** Which check refuses a visitor token for `siteKey` on `origin`, or undefined when none does. */
export function tokenRefusal(
  sites: SiteOrigins,
  siteKey: string,
  origin: string | undefined,
): TokenRefusalReason | undefined {
  if (!sites.has(siteKey)) return 'unknown_site_key';
  if (!origin) return 'no_origin';
  if (!isOriginAllowed(sites, siteKey, origin)) return 'origin_not_allowed';
  return undefined;
}

/**
 * The 403 body: the reason and, in its message, the fix, which the widget prints on the browser
 * console for the site owner. It names only what the request itself sent (the key and the
 * origin), never the keys or origins the server knows.
 */
export function refusalBody(
  reason: TokenRefusalReason,
  siteKey: string,
  origin: string | undefined,
): VisitorTokenRefusal {
  const messages: Record<TokenRefusalReason, string> = {
    unknown_site_key:
      `The site key "${siteKey}" is not configured on this LoreChat server: check data-site-key, ` +
      `or add the site to the server's SITES setting (SITES=${siteKey}=${origin ?? 'https://your-site'}).`,
    origin_not_allowed:
      `This page's origin ${String(origin)} is not allowed for the site key "${siteKey}": add it ` +
      `to that site's origins in the server's SITES setting (${siteKey}=…,${String(origin)}).`,
    no_origin: 'Visitor tokens are issued to web pages only: the request had no Origin header.',
  };
  return { error: { code: 'unauthorized', reason, message: messages[reason] } };
}
