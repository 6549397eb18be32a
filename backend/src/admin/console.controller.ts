import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompress, gzip } from 'node:zlib';
import { Controller, Get, Logger, type OnModuleInit, Param, Req, Res } from '@nestjs/common';
import { type Request, type Response } from 'express';
import { type ContentEncoding, preferredEncoding } from '../site/widget-bundle';

/** console/ in the repository, from backend/src/admin (tests) or backend/dist/admin (built). */
export const CONSOLE_DIST = join(__dirname, '..', '..', '..', 'console', 'dist');

const ASSETS: Record<string, string> = {
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
};

const compressWith = {
  gzip: promisify(gzip),
  br: promisify(brotliCompress),
} satisfies Record<Exclude<ContentEncoding, 'identity'>, (body: Buffer) => Promise<Buffer>>;

/** One encoding of a console file, as sent. */
interface Encoded {
  encoding: ContentEncoding;
  body: Buffer;
}

/**
 * Only this server's own script, styles and API: no inline script, no other origin, no framing
 * (the console must not be clickjacked into deleting conversations).
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The owner's console at /admin: a single page (console/dist, built by `npm start`) that signs in
 * with the admin token and reads the admin API. Served like the widget: read once at start-up.
 */
@Controller('admin')
export class ConsoleController implements OnModuleInit {
  private readonly logger = new Logger('Console');
  /**
   * Each file in every encoding. Compressing the bundle (it holds Chart.js) at brotli's best quality
   * costs about a second of CPU, so it runs in libuv's thread pool after start-up instead of before
   * the server listens; a request that comes first waits for its encoding, or gets the file as is
   * should compression ever fail.
   */
  private readonly files = new Map<string, Map<ContentEncoding, Promise<Encoded>>>();

  async onModuleInit(): Promise<void> {
    try {
      for (const name of ['index.html', ...Object.keys(ASSETS)]) {
        const body = await readFile(join(CONSOLE_DIST, name));
        const identity: Encoded = { encoding: 'identity', body };
        const compressed = (encoding: keyof typeof compressWith): Promise<Encoded> =>
          compressWith[encoding](body).then(
            (encoded) => ({ encoding, body: encoded }),
            () => identity,
          );
        this.files.set(
          name,
          new Map([
            ['identity', Promise.resolve(identity)],
            ['gzip', compressed('gzip')],
            ['br', compressed('br')],
          ]),
        );
      }
    } catch (error) {
      this.files.clear();
      this.logger.warn(
        `the console is not built (${(error as Error).message}); run: npm run build --workspace console`,
      );
    }
  }

  @Get()
  async page(@Req() request: Request, @Res() response: Response): Promise<void> {
    await this.send(request, response, 'index.html', 'text/html; charset=utf-8');
  }

  @Get(':asset')
  async asset(
    @Param('asset') asset: string,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const type = ASSETS[asset];
    if (!type) {
      response.status(404).type('text/plain').send('Not found');
      return;
    }
    await this.send(request, response, asset, type);
  }

  private async send(
    request: Request,
    response: Response,
    name: string,
    type: string,
  ): Promise<void> {
    const encoded = await this.files
      .get(name)
      ?.get(preferredEncoding(request.headers['accept-encoding']));
    if (!encoded) {
      response
        .status(404)
        .type('text/plain')
        .send('The console is not built. Run: npm run build --workspace console');
      return;
    }
    response.set({
      'Content-Type': type,
      // Revalidated on every load (Express answers 304 with the ETag it computes): a deploy
      // reaches the owner at once.
      'Cache-Control': 'no-cache',
      Vary: 'Accept-Encoding',
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
    });
    if (encoded.encoding !== 'identity') response.set('Content-Encoding', encoded.encoding);
    response.send(encoded.body);
  }
}
