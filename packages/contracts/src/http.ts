/** The server's paths that the widget, load balancers and the CDN rely on. */
import { type ErrorPayload } from './protocol';

/** Liveness and readiness, for load balancers and people (503 when down or draining). */
export const HEALTH_PATH = '/health';

/** Where the widget gets a short-lived visitor token before each connection (POST). */
export const VISITOR_TOKEN_PATH = '/v1/visitor-token';

/** Socket.IO's path, under which the chat's WebSocket connects. */
export const SOCKET_IO_PATH = '/socket.io';

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
