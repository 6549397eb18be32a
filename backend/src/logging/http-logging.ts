import { HEALTH_PATH } from '@lorechat/contracts';
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { type Logger } from 'pino';
import { type Options, pinoHttp } from 'pino-http';
import { clientIp } from '../security/client-ip';
import { withLogContext } from './log-context';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/** Short enough to log, and nothing that could forge a log field or a header. */
const SANE_REQUEST_ID = /^[\w.-]{1,64}$/;

export interface HttpLogSettings {
  /** `LOG_CONTENT`: the client's IP address on each request's line. */
  logContent: boolean;
  trustProxyHops: number;
}

type Request = IncomingMessage & { originalUrl?: string };

/** The caller's (or a proxy's) request id, when it is safe to log and send back. */
export function saneRequestId(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' && SANE_REQUEST_ID.test(header) ? header : undefined;
}

export function requestIdOf(header: string | string[] | undefined): string {
  return saneRequestId(header) ?? randomUUID();
}

/** The path without its query string, which may carry tokens. */
function pathOf(request: Request): string {
  return (request.originalUrl ?? request.url ?? '').split('?', 1)[0] ?? '';
}

export function httpLoggerOptions({ logContent, trustProxyHops }: HttpLogSettings): Options {
  return {
    genReqId: (request, response) => {
      const id = requestIdOf(request.headers['x-request-id']);
      response.setHeader(REQUEST_ID_HEADER, id);
      return id;
    },
    customAttributeKeys: { reqId: 'requestId', responseTime: 'durationMs' },
    // Puts the id at the top of the request's line, under the key the application's lines use.
    quietReqLogger: true,
    customProps: () => ({ context: 'HTTP' }),
    customLogLevel: (request, response, error) => {
      const failed = error !== undefined || response.statusCode >= 500;
      // Load balancers probe health every few seconds: a line for each probe would drown the rest.
      // A failing probe is the load balancer's to alarm on, and expected while draining.
      if (pathOf(request) === HEALTH_PATH) return failed ? 'warn' : 'debug';
      return failed ? 'error' : 'info';
    },
    // Allow-lists rather than pino's serializers, which log every header (cookies, Authorization),
    // the query string, and the client's address and port.
    wrapSerializers: false,
    serializers: {
      req: (request: Request) => ({
        method: request.method,
        url: pathOf(request),
        ...(logContent && {
          ip: clientIp(
            request.socket.remoteAddress ?? '',
            request.headers['x-forwarded-for'],
            trustProxyHops,
          ),
        }),
      }),
      res: (response: ServerResponse) => ({ statusCode: response.statusCode }),
    },
  };
}

/**
 * Express middleware for every HTTP request, static files included: an id (the caller's sane
 * X-Request-Id, else a new UUID) sent back in X-Request-Id, one line when the response is done,
 * and the id on every line logged while the request is handled.
 */
export function httpLogging(
  root: Logger,
  settings: HttpLogSettings,
): (request: IncomingMessage, response: ServerResponse, next: () => void) => void {
  const logRequest = pinoHttp({ ...httpLoggerOptions(settings), logger: root });
  return (request, response, next) =>
    logRequest(request, response, () => withLogContext({ requestId: request.id }, next));
}
