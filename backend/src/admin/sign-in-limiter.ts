import { type Request, type RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { clientIp } from '../security/client-ip';

export const SIGN_IN_WINDOW_MS = 15 * 60_000;
export const SIGN_IN_ATTEMPTS = 10;

/** A sign-in, or a request with an Authorization header: a token was tried. */
function presentsToken(request: Request): boolean {
  return (
    request.headers.authorization !== undefined ||
    (request.method === 'POST' && request.path.endsWith('/session'))
  );
}

/**
 * Guessing the admin token is slowed to SIGN_IN_ATTEMPTS refused attempts (a wrong token at
 * sign-in, or a wrong Bearer token) per client address in SIGN_IN_WINDOW_MS; then every admin
 * request from that address gets 429 with Retry-After until the window ends. Counted per task (in
 * AWS, the WAF's rate rule on sign-in holds across tasks).
 */
export function signInLimiter(trustProxyHops: number): RequestHandler {
  return rateLimit({
    windowMs: SIGN_IN_WINDOW_MS,
    limit: SIGN_IN_ATTEMPTS,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    // Only refused tokens count: a signed-in console may make any number of requests, and the
    // console asking whether it is signed in (no token at all) guesses nothing.
    requestWasSuccessful: (request, response) =>
      response.statusCode !== 401 || !presentsToken(request),
    skipSuccessfulRequests: true,
    keyGenerator: (request) =>
      ipKeyGenerator(
        clientIp(
          request.socket.remoteAddress ?? '',
          request.headers['x-forwarded-for'],
          trustProxyHops,
        ),
      ),
    // The client address comes from clientIp, which applies TRUST_PROXY_HOPS itself.
    validate: { xForwardedForHeader: false, trustProxy: false },
    handler: (_request, response, _next, options) => {
      response.status(429).json({
        error: {
          code: 'rate_limited',
          message: `Too many refused attempts: try again in ${Math.ceil(options.windowMs / 60_000)} minutes.`,
        },
      });
    },
  });
}
