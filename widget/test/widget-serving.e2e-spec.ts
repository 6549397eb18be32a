/**
 * How the backend serves the built widget: widget.js and its chunks, compressed, cached and
 * versioned as a site's pages load them. The real backend over HTTP, the bundle as built.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack } from './support/browser';

const BUNDLE = readFileSync(join(__dirname, '..', 'dist', 'widget.js'));
const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
  version: string;
};

describe('GET /widget.js', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await Stack.start();
  });
  afterAll(async () => {
    await stack.close();
  });

  it('serves the built bundle, cacheable for a short while and revalidated by ETag', async () => {
    const response = await fetch(`${stack.serverUrl}/widget.js`, {
      headers: { 'accept-encoding': 'identity' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe(
      'public, max-age=300, stale-while-revalidate=3600',
    );
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(Buffer.from(await response.arrayBuffer()).equals(BUNDLE)).toBe(true);

    const etag = response.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"[\w-]{43}"$/);
    const revalidated = await fetch(`${stack.serverUrl}/widget.js`, {
      // As a browser revalidates (fetch alone would add `Cache-Control: no-cache`).
      headers: {
        'accept-encoding': 'identity',
        'if-none-match': etag,
        'cache-control': 'max-age=0',
      },
    });
    expect(revalidated.status).toBe(304);
  });

  it.each(['br', 'gzip'])(
    'serves it pre-compressed with %s when the client accepts it',
    async (coding) => {
      const response = await fetch(`${stack.serverUrl}/widget.js`, {
        headers: { 'accept-encoding': coding },
      });
      expect(response.headers.get('content-encoding')).toBe(coding);
      expect(response.headers.get('vary')).toBe('Accept-Encoding');
      expect(response.headers.get('etag')).toMatch(new RegExp(`-${coding}"$`));
      // fetch decompresses: the bytes are the bundle's.
      expect(Buffer.from(await response.arrayBuffer()).equals(BUNDLE)).toBe(true);
    },
  );

  it('serves the same bytes at the immutable versioned URL, and only for this version', async () => {
    const response = await fetch(`${stack.serverUrl}/widget/v${version}/widget.js`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(Buffer.from(await response.arrayBuffer()).equals(BUNDLE)).toBe(true);

    const other = await fetch(`${stack.serverUrl}/widget/v0.0.0-old/widget.js`);
    expect(other.status).toBe(404);
    expect(await other.text()).toContain(`/widget/v${version}/widget.js`);
  });

  it.each(['voice', 'handoff', 'locale-fr', 'locale-de', 'locale-es', 'locale-ar'])(
    'serves the %s chunk beside widget.js, with CORS for its module import',
    async (chunk) => {
      const built = readFileSync(join(__dirname, '..', 'dist', `widget-${chunk}.js`));
      for (const [path, cache] of [
        [`/widget-${chunk}.js`, 'public, max-age=300, stale-while-revalidate=3600'],
        [`/widget/v${version}/widget-${chunk}.js`, 'public, max-age=31536000, immutable'],
      ] as const) {
        const response = await fetch(`${stack.serverUrl}${path}`, {
          headers: { 'accept-encoding': 'br' },
        });
        expect(response.status).toBe(200);
        expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
        expect(response.headers.get('access-control-allow-origin')).toBe('*');
        expect(response.headers.get('cache-control')).toBe(cache);
        expect(Buffer.from(await response.arrayBuffer()).equals(built)).toBe(true);
      }
    },
  );

  it('answers 404 for a chunk that is not part of the widget', async () => {
    const response = await fetch(`${stack.serverUrl}/widget-nothing.js`);
    expect(response.status).toBe(404);
    expect(await response.text()).toBe('widget-nothing.js is not a part of the widget.');
  });
});
