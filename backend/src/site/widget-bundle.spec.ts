import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync } from 'node:zlib';
import { loadWidget, preferredEncoding } from './widget-bundle';

describe('loadWidget', () => {
  let widgetDir: string;
  beforeEach(() => {
    widgetDir = mkdtempSync(join(tmpdir(), 'lorechat-widget-'));
    writeFileSync(join(widgetDir, 'package.json'), JSON.stringify({ version: '1.2.3' }));
  });
  afterEach(() => rmSync(widgetDir, { recursive: true, force: true }));

  it('keeps the bundle in every encoding, each with its own strong ETag', async () => {
    const script = 'window.LoreChat={};'.repeat(100);
    mkdirSync(join(widgetDir, 'dist'));
    writeFileSync(join(widgetDir, 'dist', 'widget.js'), script);

    const widget = await loadWidget(widgetDir);
    expect(widget.version).toBe('1.2.3');
    const identity = widget.variants.get('identity');
    const gzip = widget.variants.get('gzip');
    const brotli = widget.variants.get('br');
    expect(identity?.body.toString()).toBe(script);
    expect(gunzipSync(gzip?.body ?? Buffer.alloc(0)).toString()).toBe(script);
    expect(brotliDecompressSync(brotli?.body ?? Buffer.alloc(0)).toString()).toBe(script);
    expect(identity?.etag).toMatch(/^"[\w-]{43}"$/);
    expect(gzip?.etag).toBe(identity?.etag.replace(/"$/, '-gzip"'));
    expect(brotli?.etag).toBe(identity?.etag.replace(/"$/, '-br"'));
  });

  it("serves the build's brotli file when it encodes this bundle, and never a stale one", async () => {
    const script = 'window.LoreChat={version:2};'.repeat(100);
    mkdirSync(join(widgetDir, 'dist'));
    writeFileSync(join(widgetDir, 'dist', 'widget.js'), script);
    // Quality 1, unlike the server's own (11): which one is served shows where it came from.
    const prebuilt = brotliCompressSync(script, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 1 },
    });
    writeFileSync(join(widgetDir, 'dist', 'widget.js.br'), prebuilt);
    expect((await loadWidget(widgetDir)).variants.get('br')?.body.equals(prebuilt)).toBe(true);

    // A widget.js rebuilt without its .br: the old file must not be served for the new bundle.
    const rebuilt = 'window.LoreChat={version:3};'.repeat(100);
    writeFileSync(join(widgetDir, 'dist', 'widget.js'), rebuilt);
    const brotli = (await loadWidget(widgetDir)).variants.get('br')?.body ?? Buffer.alloc(0);
    expect(brotli.equals(prebuilt)).toBe(false);
    expect(brotliDecompressSync(brotli).toString()).toBe(rebuilt);
  });

  it('rejects when the widget is not built', async () => {
    await expect(loadWidget(widgetDir)).rejects.toThrow(/widget\.js/);
  });
});

describe('preferredEncoding', () => {
  it.each([
    ['gzip, deflate, br, zstd', 'br'],
    ['gzip', 'gzip'],
    ['br;q=0, gzip;q=0.5', 'gzip'],
    ['GZIP;Q=0.0, identity', 'identity'],
    ['', 'identity'],
    [undefined, 'identity'],
  ])('picks %j → %s', (header, encoding) => {
    expect(preferredEncoding(header)).toBe(encoding);
  });
});
