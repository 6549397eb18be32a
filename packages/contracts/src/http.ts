/** The server's paths that the widget, load balancers and the CDN rely on. */

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
