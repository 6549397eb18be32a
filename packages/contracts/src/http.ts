/** The server's paths that the widget, load balancers and the CDN rely on. */
import { type ErrorPayload } from './protocol';

/**
 * Health for people: liveness and every dependency in one report, 503 when a dependency the
 * server cannot answer without is down, or while it drains.
 */
export const HEALTH_PATH = '/health';

/**
 * Liveness: 200 while the process serves HTTP, whatever its dependencies do. Load balancers and
 * container health checks use this one, so a dependency's outage never replaces every task.
 */
export const LIVENESS_PATH = `${HEALTH_PATH}/live`;

/**
 * Readiness: each dependency's state (index, Redis, model); 503 while one the answers need is
 * down or the server drains. For alarms, dashboards and people, never for replacing tasks.
 */
export const READINESS_PATH = `${HEALTH_PATH}/ready`;

/** Where the widget gets a short-lived visitor token before each connection (POST). */
export const VISITOR_TOKEN_PATH = '/v1/visitor-token';

/** Socket.IO's path, under which the chat's WebSocket connects. */
export const SOCKET_IO_PATH = '/socket.io';

/** The owner's console (its page and assets under it). */
export const CONSOLE_PATH = '/admin';

/** The admin API, for the console and for scripts. */
export const ADMIN_API_PATH = '/v1/admin';

/** Where the console exchanges the admin token for a session (POST): the rate-limited sign-in. */
export const ADMIN_SESSION_PATH = `${ADMIN_API_PATH}/session`;

/** The console's session cookie (HttpOnly, SameSite=Strict). */
export const ADMIN_SESSION_COOKIE = 'lorechat_admin';

/** The header the console sends with every admin API call, which a cross-site form cannot. */
export const CONSOLE_HEADER = 'x-lorechat-console';

/** What POST {@link VISITOR_TOKEN_PATH} answers with 200. */
export interface VisitorTokenResponse {
  token: string;
  expiresInSeconds: number;
  /** Whether the site owner can be reached from the chat: a handoff channel is configured. */
  handoff: boolean;
}

/**
 * Why the visitor-token endpoint refused a widget (403 `unauthorized`): its answer carries one of
 * these as `error.reason`, and CORS headers, so the widget can tell its site owner what to fix.
 */
export const TOKEN_REFUSAL_REASONS = [
  /** The site key is not in SITES. */
  'unknown_site_key',
  /** The site key exists, but the page's origin is not among its origins. */
  'origin_not_allowed',
  /** No Origin header: not a browser page. */
  'no_origin',
] as const;
export type TokenRefusalReason = (typeof TOKEN_REFUSAL_REASONS)[number];

/** What POST {@link VISITOR_TOKEN_PATH} answers with 403. */
export interface VisitorTokenRefusal {
  error: ErrorPayload & { reason: TokenRefusalReason };
}
