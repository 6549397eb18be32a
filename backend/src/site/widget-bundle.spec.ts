import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
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
