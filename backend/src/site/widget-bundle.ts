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

/** Reads `<widgetDir>/dist/widget.js` and compresses it once; rejects if it is not built. */
export async function loadWidget(widgetDir: string): Promise<BuiltWidget> {
  const file = join(widgetDir, 'dist', 'widget.js');
  const [script, manifest] = await Promise.all([
    readFile(file),
    readFile(join(widgetDir, 'package.json'), 'utf8'),
  ]);
  const hash = createHash('sha256').update(script).digest('base64url');
  const variant = (encoding: ContentEncoding, body: Buffer): [ContentEncoding, WidgetVariant] => [
    encoding,
    { body, encoding, etag: `"${hash}${encoding === 'identity' ? '' : `-${encoding}`}"` },
  ];
  const brotli =
    (await prebuiltBrotli(`${file}.br`, script)) ??
    brotliCompressSync(script, {
      params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY },
    });
  return {
    version: (JSON.parse(manifest) as { version: string }).version,
    variants: new Map([
      variant('identity', script),
      variant('gzip', gzipSync(script, { level: 9 })),
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
 * The built widget (widget/dist/widget.js), read once at start-up and kept compressed with
 * brotli and gzip, so that serving it costs no CPU. `npm start` builds it first; when it is
 * missing the server still runs, and answers /widget.js with a 404 that says how to build it.
 */
@Injectable()
export class WidgetBundle implements OnModuleInit {
  private readonly logger = new Logger(WidgetBundle.name);
  private widget: BuiltWidget | undefined;

  async onModuleInit(): Promise<void> {
    try {
      this.widget = await loadWidget(WIDGET_DIR);
    } catch (error) {
      this.logger.warn(
        `widget.js is not built (${(error as Error).message}); run: npm run build --workspace widget`,
      );
    }
  }

  /** The version this server serves, or undefined when the widget is not built. */
  get version(): string | undefined {
    return this.widget?.version;
  }

  variantFor(acceptEncoding: string | undefined): WidgetVariant | undefined {
    return this.widget?.variants.get(preferredEncoding(acceptEncoding));
  }
}
