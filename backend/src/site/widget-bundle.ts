import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { brotliCompressSync, brotliDecompressSync, constants, gzipSync } from 'node:zlib';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';

/** widget/ in the repository, from backend/src/site (tests) or backend/dist/site (built). */
const WIDGET_DIR = join(__dirname, '..', '..', '..', 'widget');

export type ContentEncoding = 'br' | 'gzip' | 'identity';

/** One encoding of the bundle, with the strong ETag of exactly those bytes. */
export interface WidgetVariant {
  body: Buffer;
  etag: string;
  encoding: ContentEncoding;
}

export interface BuiltWidget {
  /** widget/package.json's version, as in the immutable URL `/widget/v<version>/widget.js`. */
  version: string;
  variants: Map<ContentEncoding, WidgetVariant>;
}

/**
 * The build's brotli encoding of the bundle (widget.js.br), when it encodes exactly these bytes:
 * brotli at its best quality costs a quarter of a second, which would delay every start.
 */
async function prebuiltBrotli(file: string, script: Buffer): Promise<Buffer | undefined> {
  try {
    const brotli = await readFile(file);
    return brotliDecompressSync(brotli).equals(script) ? brotli : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What the widget loads beside widget.js (`widget-<name>.js`): features on first use, and the
 * catalogue of a page's language (every one but English) before it shows.
 */
export const WIDGET_CHUNKS = [
  'voice',
  'handoff',
  'locale-fr',
  'locale-de',
  'locale-es',
  'locale-ar',
] as const;
export type WidgetChunkName = (typeof WIDGET_CHUNKS)[number];

/**
 * Reads `<widgetDir>/dist/<script>` (widget.js, or a chunk) and compresses it once; rejects if it
 * is not built.
 */
export async function loadWidget(widgetDir: string, script = 'widget.js'): Promise<BuiltWidget> {
  const file = join(widgetDir, 'dist', script);
  const [bytes, manifest] = await Promise.all([
    readFile(file),
    readFile(join(widgetDir, 'package.json'), 'utf8'),
  ]);
  const hash = createHash('sha256').update(bytes).digest('base64url');
  const variant = (encoding: ContentEncoding, body: Buffer): [ContentEncoding, WidgetVariant] => [
    encoding,
    { body, encoding, etag: `"${hash}${encoding === 'identity' ? '' : `-${encoding}`}"` },
  ];
  const brotli =
    (await prebuiltBrotli(`${file}.br`, bytes)) ??
    brotliCompressSync(bytes, {
      params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY },
    });
  return {
    version: (JSON.parse(manifest) as { version: string }).version,
    variants: new Map([
      variant('identity', bytes),
      variant('gzip', gzipSync(bytes, { level: 9 })),
      variant('br', brotli),
    ]),
  };
}

/** The smallest encoding an Accept-Encoding header allows: brotli, then gzip, else none. */
export function preferredEncoding(acceptEncoding: string | undefined): ContentEncoding {
  const accepted = new Set(
    (acceptEncoding ?? '')
      .split(',')
      .map((entry) => entry.trim().toLowerCase().split(';'))
      // `gzip;q=0` means "not gzip".
      .filter(([, quality]) => !/^\s*q\s*=\s*0(\.0*)?\s*$/.test(quality ?? ''))
      .map(([coding]) => coding),
  );
  return (['br', 'gzip'] as const).find((coding) => accepted.has(coding)) ?? 'identity';
}

/**
 * The built widget (widget/dist/widget.js) and its chunks, read once at start-up and kept compressed with
 * brotli and gzip, so that serving it costs no CPU. `npm start` builds it first; when it is
 * missing the server still runs, and answers /widget.js with a 404 that says how to build it.
 */
@Injectable()
export class WidgetBundle implements OnModuleInit {
  private readonly logger = new Logger(WidgetBundle.name);
  private widget: BuiltWidget | undefined;
  private readonly chunks = new Map<string, BuiltWidget>();

  async onModuleInit(): Promise<void> {
    try {
      this.widget = await loadWidget(WIDGET_DIR);
      for (const chunk of WIDGET_CHUNKS) {
        this.chunks.set(chunk, await loadWidget(WIDGET_DIR, `widget-${chunk}.js`));
      }
    } catch (error) {
      this.logger.warn(
        `widget.js is not built (${(error as Error).message}); run: npm run build --workspace widget`,
      );
    }
  }

  /** A chunk's encoding, or undefined when there is no such chunk or it is not built. */
  chunkVariantFor(chunk: string, acceptEncoding: string | undefined): WidgetVariant | undefined {
    return this.chunks.get(chunk)?.variants.get(preferredEncoding(acceptEncoding));
  }

  /** The version this server serves, or undefined when the widget is not built. */
  get version(): string | undefined {
    return this.widget?.version;
  }

  variantFor(acceptEncoding: string | undefined): WidgetVariant | undefined {
    return this.widget?.variants.get(preferredEncoding(acceptEncoding));
  }
}
