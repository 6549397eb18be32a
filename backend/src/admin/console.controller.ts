import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Controller, Get, Logger, type OnModuleInit, Param, Res } from '@nestjs/common';
import { type Response } from 'express';

/** console/ in the repository, from backend/src/admin (tests) or backend/dist/admin (built). */
export const CONSOLE_DIST = join(__dirname, '..', '..', '..', 'console', 'dist');

const ASSETS: Record<string, string> = {
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
};

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
  private readonly files = new Map<string, Buffer>();

  async onModuleInit(): Promise<void> {
    try {
      for (const name of ['index.html', ...Object.keys(ASSETS)]) {
        this.files.set(name, await readFile(join(CONSOLE_DIST, name)));
      }
    } catch (error) {
      this.files.clear();
      this.logger.warn(
        `the console is not built (${(error as Error).message}); run: npm run build --workspace console`,
      );
    }
  }

  @Get()
  page(@Res() response: Response): void {
    this.send(response, 'index.html', 'text/html; charset=utf-8', 'no-cache');
  }

  @Get(':asset')
  asset(@Param('asset') asset: string, @Res() response: Response): void {
    const type = ASSETS[asset];
    if (!type) {
      response.status(404).type('text/plain').send('Not found');
      return;
    }
    this.send(response, asset, type, 'no-cache');
  }

  private send(response: Response, name: string, type: string, cacheControl: string): void {
    const body = this.files.get(name);
    if (!body) {
      response
        .status(404)
        .type('text/plain')
        .send('The console is not built. Run: npm run build --workspace console');
      return;
    }
    response.set({
      'Content-Type': type,
      'Cache-Control': cacheControl,
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
    });
    response.send(body);
  }
}
