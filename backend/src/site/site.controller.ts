import { Controller, Get, Header, Param, Req, Res } from '@nestjs/common';
import { type Request, type Response } from 'express';
import { ConfigService } from '../config/config.service';
import { DOCS_ROUTE } from '../common/bundled-docs';
import { demoPage } from './demo-page';
import { WidgetBundle, type WidgetVariant } from './widget-bundle';

/** `/widget.js` may change with any deployment: browsers keep it briefly, then revalidate. */
const LATEST_CACHE = 'public, max-age=300, stale-while-revalidate=3600';
/** A versioned URL always serves the same bytes, so browsers and CDNs may keep it for a year. */
const VERSIONED_CACHE = 'public, max-age=31536000, immutable';

@Controller()
export class SiteController {
  constructor(
    private readonly config: ConfigService,
    private readonly widget: WidgetBundle,
  ) {}

  /** A demo site page with the widget on it, loaded by the same snippet site owners paste. */
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-cache')
  demo(): string {
    const { server, docsDir } = this.config.config;
    return demoPage({
      publicUrl: server.publicUrl,
      docsUrl: docsDir ? `${DOCS_ROUTE}/widget.md` : undefined,
    });
  }

  @Get('widget.js')
  latest(@Req() request: Request, @Res() response: Response): void {
    this.sendWidget(request, response, LATEST_CACHE);
  }

  /** `/widget/v0.1.0/widget.js`: only the version this server has; others are not found. */
  @Get('widget/:release/widget.js')
  versioned(
    @Param('release') release: string,
    @Req() request: Request,
    @Res() response: Response,
  ): void {
    const { version } = this.widget;
    if (version !== undefined && release !== `v${version}`) {
      response
        .status(404)
        .type('text/plain')
        .send(
          `This server has widget v${version}: use /widget/v${version}/widget.js or /widget.js.`,
        );
      return;
    }
    this.sendWidget(request, response, VERSIONED_CACHE);
  }

  /** `/widget-voice.js`: a feature the widget imports, relative to its own URL, on first use. */
  @Get('widget-:chunk.js')
  latestChunk(
    @Param('chunk') chunk: string,
    @Req() request: Request,
    @Res() response: Response,
  ): void {
    this.sendChunk(chunk, request, response, LATEST_CACHE);
  }

  /** `/widget/v0.1.0/widget-voice.js`, beside the versioned widget.js. */
  @Get('widget/:release/widget-:chunk.js')
  versionedChunk(
    @Param('release') release: string,
    @Param('chunk') chunk: string,
    @Req() request: Request,
    @Res() response: Response,
  ): void {
    const { version } = this.widget;
    if (version !== undefined && release !== `v${version}`) {
      response.status(404).type('text/plain').send(`This server has widget v${version}.`);
      return;
    }
    this.sendChunk(chunk, request, response, VERSIONED_CACHE);
  }

  private sendChunk(chunk: string, request: Request, response: Response, cache: string): void {
    const variant = this.widget.chunkVariantFor(chunk, request.headers['accept-encoding']);
    this.send(variant, `widget-${chunk}.js`, response, cache);
  }

  private sendWidget(request: Request, response: Response, cacheControl: string): void {
    const variant = this.widget.variantFor(request.headers['accept-encoding']);
    this.send(variant, 'widget.js', response, cacheControl);
  }

  private send(
    variant: WidgetVariant | undefined,
    file: string,
    response: Response,
    cacheControl: string,
  ): void {
    if (!variant) {
      response
        .status(404)
        .type('text/plain')
        .send(
          this.widget.version === undefined
            ? `${file} is not built. Run: npm run build --workspace widget`
            : `${file} is not a part of the widget.`,
        );
      return;
    }
    response.set({
      'Content-Type': 'text/javascript; charset=utf-8',
      'Cache-Control': cacheControl,
      ETag: variant.etag,
      Vary: 'Accept-Encoding',
      'X-Content-Type-Options': 'nosniff',
      // Sites load the widget from their own pages: allow Subresource Integrity (which needs
      // CORS), the chunks' module imports (always CORS), and pages that isolate themselves with
      // Cross-Origin-Embedder-Policy.
      'Access-Control-Allow-Origin': '*',
      'Cross-Origin-Resource-Policy': 'cross-origin',
    });
    if (variant.encoding !== 'identity') response.set('Content-Encoding', variant.encoding);
    // Express answers 304 Not Modified itself when If-None-Match matches the ETag.
    response.send(variant.body);
  }
}
