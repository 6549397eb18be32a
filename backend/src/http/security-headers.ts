import { createHash } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import helmet from 'helmet';
import { DEMO_PAGE_STYLE } from '../site/demo-page';
import { DOCS_PAGE_STYLE } from '../site/docs-page';

/** The CSP source that allows exactly the demo page's own inline stylesheet, and no other. */
export function styleHash(style: string): string {
  return `'sha256-${createHash('sha256').update(style).digest('base64')}'`;
}

/**
 * HTTP security headers on every response the server sends (the demo page, `/docs/*`, widget
 * files, the API), from helmet. Its defaults plus:
 * - a Content-Security-Policy under which the demo page still runs the widget: scripts, styles
 *   and connections (Socket.IO's WebSocket included, which `'self'` covers) only from this origin,
 *   the demo page's and the rendered docs' inline stylesheets by their hashes, no plugins, no framing; not
 *   `upgrade-insecure-requests`, which would break `npm start` on plain http://localhost;
 * - no framing anywhere (`frame-ancestors 'none'` and `X-Frame-Options: DENY`): nothing here is
 *   meant to be embedded in a frame, so no page can be clickjacked;
 * - `Referrer-Policy: no-referrer` and `X-Content-Type-Options: nosniff` (helmet's defaults).
 * The widget files widen only Cross-Origin-Resource-Policy, since sites load them from their pages
 * (site.controller.ts).
 */
export function securityHeaders(): (
  request: IncomingMessage,
  response: ServerResponse,
  next: (error?: unknown) => void,
) => void {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'", styleHash(DEMO_PAGE_STYLE), styleHash(DOCS_PAGE_STYLE)],
        'connect-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'frame-ancestors': ["'none'"],
        'upgrade-insecure-requests': null,
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
}
