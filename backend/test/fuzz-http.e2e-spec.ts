/**
 * Property-based fuzzing of every HTTP route (fast-check) against the started application over
 * real HTTP (node:http, so any method, header and body can be sent): generated methods, paths
 * (traversal and encoding tricks included), headers and bodies. No request may get a 5xx, every
 * response carries the security headers, the API answers refusals in its error shape, no file
 * outside the docs folder is ever served, and nothing is logged as an error.
 */
import { request } from 'node:http';
import fc from 'fast-check';
import { type RunningApp, startApp } from './support/app';
import { LogCapture } from './support/logs';

/** Requests per property, per run (reported in docs/security.md). */
export const FUZZ_RUNS = 2000;

const ROUTES = [
  '/',
  '/health',
  '/widget.js',
  '/widget/v0.1.0/widget.js',
  '/widget/x/widget.js',
  '/v1/visitor-token',
  '/docs/deployment.md',
  '/docs/widget.md',
  '/docs/',
  '/socket.io/',
];
const TRICKS = [
  '..',
  '%2e%2e',
  '%2E%2E%2F',
  '..%2f',
  '%00',
  '%',
  '%zz',
  '//',
  '\\',
  '~',
  '.env',
  'package.json',
  '..%5c',
  '%c0%ae',
  'ä',
  '?',
  '#',
  ';',
  'x'.repeat(3000),
];

const path = fc.oneof(
  fc.constantFrom(...ROUTES),
  fc
    .tuple(fc.constantFrom(...ROUTES), fc.array(fc.constantFrom(...TRICKS), { maxLength: 6 }))
    .map(([route, parts]) => `${route}${parts.join('/')}`),
  fc.webPath().map((webPath) => webPath || '/'),
);
const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'HEAD', 'TRACE');
const headerValue = fc.stringMatching(/^[\x20-\x7e]{0,200}$/);
const headers = fc.record(
  {
    'content-type': fc.oneof(
      fc.constantFrom(
        'application/json',
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/json; charset=utf-16',
        'multipart/form-data; boundary=x',
      ),
      headerValue,
    ),
    origin: fc.oneof(
      fc.constantFrom('http://localhost:8080', 'null', 'https://evil.example'),
      headerValue,
    ),
    'accept-encoding': fc.oneof(fc.constantFrom('br', 'gzip', 'identity;q=0', '*'), headerValue),
    'x-request-id': headerValue,
    'x-forwarded-for': headerValue,
    'if-none-match': headerValue,
    range: headerValue,
  },
  { requiredKeys: [] },
);
const body = fc.oneof(
  fc.constant(undefined),
  fc.json({ maxDepth: 4 }),
  fc.string({ maxLength: 2000 }),
  fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom('{"siteKey":', '{"siteKey":"demo","previousToken":"x"}', 'x'.repeat(150_000)),
  fc.anything({ maxDepth: 3 }).map((value) => JSON.stringify(value) ?? 'null'),
);

interface Response {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function send(
  base: string,
  req: { method: string; path: string; headers: Record<string, string>; body?: string | Buffer },
): Promise<Response> {
  return new Promise((resolve, reject) => {
    const outgoing = request(
      `${base}${req.path}`,
      { method: req.method, headers: req.headers, agent: false },
      (incoming) => {
        const chunks: Buffer[] = [];
        incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
        incoming.on('end', () =>
          resolve({
            status: incoming.statusCode ?? 0,
            headers: incoming.headers,
            body: Buffer.concat(chunks).toString('latin1'),
          }),
        );
      },
    );
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

describe('HTTP routes under generated requests (fast-check, real HTTP)', () => {
  let running: RunningApp;
  const logs = new LogCapture();

  beforeAll(async () => {
    running = await startApp({ LOG_LEVEL: 'warn' }, { logDestination: logs });
  });
  afterAll(async () => {
    await running.stop();
  });

  it('answers every generated request without a 5xx, with the security headers', async () => {
    await fc.assert(
      fc.asyncProperty(method, path, headers, body, async (verb, target, extra, payload) => {
        // A client cannot send a path that is not a valid request target; skip what node refuses.
        if (/[^\x21-\x7e]/.test(target)) return;
        const response = await send(running.url, {
          method: verb,
          path: target,
          headers: extra,
          body: verb === 'GET' || verb === 'HEAD' ? undefined : payload,
        });
        expect(response.status).toBeLessThan(500);
        // Every response of the application (they all carry a request id) has the headers; only
        // Node's own parser refuses a malformed request (400, connection closed) before it.
        if (response.headers['x-request-id'] !== undefined) {
          expect(response.headers['x-content-type-options']).toBe('nosniff');
          expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
        } else if (!target.startsWith('/socket.io')) {
          expect([response.status, response.headers.connection]).toEqual([400, 'close']);
        }
        // Nothing outside the docs folder: the backend's package.json, sources or environment.
        expect(response.body).not.toMatch(
          /"name": "@lorechat\/backend"|VISITOR_TOKEN_SECRET|import \{/,
        );
        if (
          target.startsWith('/v1/') &&
          response.status >= 400 &&
          response.headers['x-request-id'] !== undefined &&
          verb !== 'HEAD'
        ) {
          const parsed = JSON.parse(response.body) as {
            error?: { code?: string; message?: string };
          };
          expect(
            typeof parsed.error?.code === 'string' ||
              typeof (parsed as { message?: unknown }).message === 'string',
          ).toBe(true);
        }
      }),
      {
        numRuns: FUZZ_RUNS,
        // Found by this property: a docs folder's address once answered with serve-static's
        // redirect page, whose CSP lacked frame-ancestors.
        examples: [
          ['GET', '/docs/widget.md../..%2f', {}, '[]'],
          ['GET', '/docs', {}, ''],
        ],
      },
    );
  }, 120_000);

  it('logged no error, and still serves its pages', async () => {
    expect(logs.lines().filter((line) => line.level === 'ERROR' || line.level === 'FATAL')).toEqual(
      [],
    );
    const health = await fetch(`${running.url}/health`);
    expect(health.status).toBe(200);
  });
});
