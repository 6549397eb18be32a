/** The server's paths that the widget, load balancers and the CDN rely on. */

/** Liveness and readiness, for load balancers and people (503 when down or draining). */
export const HEALTH_PATH = '/health';

/** Where the widget gets a short-lived visitor token before each connection (POST). */
export const VISITOR_TOKEN_PATH = '/v1/visitor-token';

/** Socket.IO's path, under which the chat's WebSocket connects. */
export const SOCKET_IO_PATH = '/socket.io';
