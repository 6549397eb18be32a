import { ADMIN_API_PATH, CONSOLE_PATH, SOCKET_IO_PATH } from '@lorechat/contracts';

/** The paths the edge treats apart, in its cache behaviors and its WAF rules. */

/** The Socket.IO transport: WebSocket upgrades and the long-polling fallback. */
export const CHAT_PATH = `${SOCKET_IO_PATH}/`;

/**
 * The widget bundle and anything else the backend serves under `/widget`: the only responses worth
 * caching at the edge. Everything else (chat, API, health, demo page) is per visitor.
 */
export const STATIC_PATH_PATTERN = '/widget*';

/** The owner's console and the admin API: behind the token, never cached, never shared. */
export const ADMIN_PATH_PATTERNS = [CONSOLE_PATH, `${CONSOLE_PATH}/*`, `${ADMIN_API_PATH}/*`];
