import { Body, Controller, Headers, HttpStatus, Options, Post, Res } from '@nestjs/common';
import { type Response } from 'express';
import { z } from 'zod';
import { type ErrorPayload, VISITOR_TOKEN_PATH } from '@lorechat/contracts';
import { ConfigService } from '../config/config.service';
import { isOriginAllowed } from './origins';
import { VisitorTokens } from './visitor-tokens';

const requestSchema = z.object({
  siteKey: z.string().min(1).max(64),
  /** The widget's last token, so the visitor keeps their id (and quotas) across renewals. */
  previousToken: z.string().max(2048).optional(),
});

export interface VisitorTokenResponse {
  token: string;
  expiresInSeconds: number;
}

/**
 * Issues visitor tokens to widgets. The browser sets Origin itself and a page cannot forge it, so
 * a token issued here proves the widget runs on an allowed page. (A script outside a browser can
 * send any Origin: quotas, not origins, are the defence against it. See docs/security.md.)
 */
@Controller(VISITOR_TOKEN_PATH)
export class VisitorTokenController {
  constructor(
    private readonly config: ConfigService,
    private readonly tokens: VisitorTokens,
  ) {}

  /** CORS preflight: the site key is in the body, so the real check is on the POST. */
  @Options()
  preflight(@Headers('origin') origin: string | undefined, @Res() response: Response): void {
    if (origin) {
      response.setHeader('Access-Control-Allow-Origin', origin);
      response.setHeader('Access-Control-Allow-Methods', 'POST');
      response.setHeader('Access-Control-Allow-Headers', 'Content-Type');
      response.setHeader('Access-Control-Max-Age', '600');
      response.setHeader('Vary', 'Origin');
    }
    response.status(HttpStatus.NO_CONTENT).end();
  }

  @Post()
  issue(
    @Body() body: unknown,
    @Headers('origin') origin: string | undefined,
    @Res({ passthrough: true }) response: Response,
  ): VisitorTokenResponse | { error: ErrorPayload } {
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('Vary', 'Origin');
    const request = requestSchema.safeParse(body);
    if (!request.success) {
      response.status(HttpStatus.BAD_REQUEST);
      return { error: { code: 'bad_request', message: 'Send {"siteKey": "..."} as JSON.' } };
    }
    const { siteKey, previousToken } = request.data;
    if (!origin || !isOriginAllowed(this.config.config.security.sites, siteKey, origin)) {
      response.status(HttpStatus.FORBIDDEN);
      return {
        error: {
          code: 'unauthorized',
          message: 'This site key is unknown or not allowed on this origin.',
        },
      };
    }
    response.setHeader('Access-Control-Allow-Origin', origin);
    response.status(HttpStatus.OK);
    const { token } = this.tokens.issue(siteKey, origin, previousToken);
    return { token, expiresInSeconds: this.config.config.security.visitorTokenTtlSeconds };
  }
}
