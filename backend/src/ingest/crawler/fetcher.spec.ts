/**
 * The fetcher against real HTTP servers listening on 127.0.0.1 (no mocks): each test serves the
 * answers it needs and checks what the fetcher made of them and how often it asked.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { Fetcher, type FetcherOptions, USER_AGENT } from './fetcher';
import { HostPoliteness } from './host-politeness';

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

const servers: Server[] = [];

async function serve(handler: Handler): Promise<{ url: string; requests: IncomingMessage[] }> {
  const requests: IncomingMessage[] = [];
  const server = createServer((request, response) => {
    requests.push(request);
    handler(request, response);
  });
  servers.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/page`, requests };
}

function fetcher(overrides: Partial<FetcherOptions> = {}): Fetcher {
  return new Fetcher({
    timeoutMs: 2000,
    maxBytes: 1024,
    maxRedirects: 5,
    retries: 2,
    // Long enough that a test finishing quickly proves Retry-After, not backoff, set the wait.
    retryBaseMs: 60_000,
    maxRetryAfterMs: 5000,
    allowPrivateNetwork: true,
    politeness: new HostPoliteness(0),
    inScope: () => true,
    ...overrides,
  });
}

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  }
});

describe('Fetcher (local HTTP servers on 127.0.0.1)', () => {
  it('retries a 429 and a 503 after the Retry-After the server asks for', async () => {
    const statuses = [429, 503, 200];
    const site = await serve((_request, response) => {
      const status = statuses.shift() ?? 500;
      response.writeHead(status, { 'retry-after': '0', 'content-type': 'text/plain' }).end('ok');
    });
    const client = fetcher();
    const result = await client.fetch({ url: site.url });
    client.close();
    expect(result).toMatchObject({ kind: 'ok', status: 200 });
    expect(site.requests).toHaveLength(3);
  });

  it('gives up after its retries, and at once when Retry-After is longer than it waits', async () => {
    const failing = await serve((_request, response) =>
      response.writeHead(503, { 'retry-after': '0' }).end(),
    );
    const client = fetcher({ retries: 1 });
    expect(await client.fetch({ url: failing.url })).toMatchObject({
      kind: 'failed',
      reason: 'http status',
      status: 503,
    });
    expect(failing.requests).toHaveLength(2);

    const busy = await serve((_request, response) =>
      response.writeHead(429, { 'retry-after': '3600' }).end(),
    );
    const result = await client.fetch({ url: busy.url });
    client.close();
    expect(result).toMatchObject({ kind: 'failed', status: 429 });
    expect(result.kind === 'failed' && result.detail).toMatch(/retry after 3600000 ms/);
    expect(busy.requests).toHaveLength(1);
  });

  it('decompresses gzip and sends an honest User-Agent', async () => {
    const site = await serve((_request, response) =>
      response
        .writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' })
        .end(gzipSync('<p>compressed</p>')),
    );
    const client = fetcher();
    const result = await client.fetch({ url: site.url });
    client.close();
    expect(result.kind === 'ok' && result.body.toString()).toBe('<p>compressed</p>');
    expect(site.requests[0]?.headers['user-agent']).toBe(USER_AGENT);
    expect(site.requests[0]?.headers['accept-encoding']).toMatch(/gzip/);
  });

  it('sends conditional headers and reports a 304 as not modified', async () => {
    const site = await serve((request, response) =>
      request.headers['if-none-match'] === '"v1"'
        ? response.writeHead(304).end()
        : response.writeHead(200, { etag: '"v1"' }).end('fresh'),
    );
    const client = fetcher();
    const result = await client.fetch({
      url: site.url,
      conditional: { etag: '"v1"', lastModified: 'Wed, 01 Jan 2025 00:00:00 GMT' },
    });
    client.close();
    expect(result.kind).toBe('not-modified');
    expect(site.requests[0]?.headers['if-modified-since']).toBe('Wed, 01 Jan 2025 00:00:00 GMT');
  });

  it('abandons bodies over the size cap, declared or streamed', async () => {
    const declared = await serve((_request, response) =>
      response.writeHead(200, { 'content-length': '4096' }).end('x'.repeat(4096)),
    );
    const streamed = await serve((_request, response) => {
      response.writeHead(200, { 'content-type': 'text/plain' });
      response.write('x'.repeat(1000));
      response.end('x'.repeat(1000));
    });
    const client = fetcher();
    const results = [
      await client.fetch({ url: declared.url }),
      await client.fetch({ url: streamed.url }),
    ];
    client.close();
    expect(results).toEqual([
      expect.objectContaining({
        kind: 'failed',
        reason: 'too large',
        detail: expect.stringMatching(/declared 4096/),
      }),
      expect.objectContaining({ kind: 'failed', reason: 'too large' }),
    ]);
  });

  it('caps a compressed body after decompression, as it streams', async () => {
    // 64 MB of spaces gzip to about 64 KB: the cap must stop the inflation, not wait for its end.
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, ' '), { level: 9 });
    const site = await serve((_request, response) =>
      response
        .writeHead(200, { 'content-type': 'text/html', 'content-encoding': 'gzip' })
        .end(bomb),
    );
    const client = fetcher({ maxBytes: 1024 * 1024 });
    const result = await client.fetch({ url: site.url });
    client.close();
    expect(result).toMatchObject({ kind: 'failed', reason: 'too large' });
  });

  // Regression (issue 19, finding 4): only the caller's followRedirect kept a fetch on the crawled
  // sites, so paths that passed none (robots.txt, sitemaps) reached other hosts and ports.
  it('asks the crawl scope before every request and every redirect', async () => {
    const other = await serve((_request, response) => response.end('another service'));
    const site = await serve((_request, response) =>
      response.writeHead(302, { location: other.url }).end(),
    );
    const sitePort = new URL(site.url).port;
    const client = fetcher({ inScope: (url) => new URL(url).port === sitePort });
    const direct = await client.fetch({ url: other.url });
    const redirected = await client.fetch({ url: site.url });
    client.close();
    expect(direct).toMatchObject({ kind: 'failed', reason: 'other site' });
    expect(redirected).toMatchObject({ kind: 'failed', reason: 'redirect out of scope' });
    expect(other.requests).toHaveLength(0);
    expect(site.requests).toHaveLength(1);
  });

  it('times out a server that never answers', async () => {
    const silent = await serve(() => undefined);
    const client = fetcher({ timeoutMs: 200 });
    const started = Date.now();
    const result = await client.fetch({ url: silent.url });
    client.close();
    expect(result).toMatchObject({ kind: 'failed', reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refuses loopback unless private networks are allowed', async () => {
    const site = await serve((_request, response) => response.end('secret'));
    const client = fetcher({ allowPrivateNetwork: false });
    const result = await client.fetch({ url: site.url });
    client.close();
    expect(result).toMatchObject({ kind: 'failed', reason: 'private network' });
    expect(site.requests).toHaveLength(0);
  });

  it('stops redirect loops and redirects the caller keeps out of scope', async () => {
    const site = await serve((request, response) =>
      response.writeHead(302, { location: request.url === '/page' ? '/other' : '/page' }).end(),
    );
    const client = fetcher();
    const loop = await client.fetch({ url: site.url });
    const outOfScope = await client.fetch({ url: site.url, followRedirect: () => false });
    client.close();
    expect(loop).toMatchObject({ kind: 'failed', detail: expect.stringMatching(/redirect loop/) });
    expect(outOfScope).toMatchObject({ kind: 'failed', reason: 'redirect out of scope' });
  });
});
