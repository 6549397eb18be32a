/** The metrics LoreChat's alarms, dashboard and scaling read that the stack itself defines. */

/** The backend's custom metrics, by the names it writes them under (shared contracts). */
export { METRIC as CUSTOM_METRIC } from '@lorechat/contracts';

/** What the error-log filter counts, in the service's log group. */
export const SERVICE_LOG_ERRORS_METRIC = 'ServiceLogErrors';

/**
 * The backend's JSON log lines carry the level in capitals (`"level":"ERROR"`); the filter also
 * catches uncaught errors Node prints itself, which are not JSON.
 * Embedded-metric lines never contain these words in capitals, so they are not counted.
 */
export const ERROR_LOG_PATTERN = '?ERROR ?FATAL ?"Unhandled"';
