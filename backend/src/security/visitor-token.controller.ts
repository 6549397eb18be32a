import { Body, Controller, Headers, HttpStatus, Logger, Options, Post, Res } from '@nestjs/common';
import { type Response } from 'express';
import { LRUCache } from 'lru-cache';
import { z } from 'zod';
import {
  type ErrorPayload,
  type TokenRefusalReason,
  VISITOR_TOKEN_PATH,
  type VisitorTokenRefusal,
  type VisitorTokenResponse,
} from '@lorechat/contracts';
import { ConfigService } from '../config/config.service';
import { refusalBody, tokenRefusal } from './token-refusal';
import { VisitorTokens } from './visitor-tokens';

const requestSchema = z.object({
  siteKey: z.string().min(1).max(64),
  /** The widget's last token, so the visitor keeps their id (and quotas) across renewals. */
  previousToken: z.string().max(2048).optional(),
});

/** One log line per refused site and origin per minute: a misconfigured site refuses every visitor. */
const REFUSAL_LOG_INTERVAL_MS = 60_000;
/** Bounds the memory of what was logged when requests invent keys and origins. */
const REFUSAL_LOG_KEYS = 1000;

/**
 * Issues visitor tokens to widgets. The browser sets Origin itself and a page cannot forge it, so
 * a token issued here proves the widget runs on an allowed page. (A script outside a browser can
 * send any Origin: quotas, not origins, are the defence against it. See docs/security.md.)
 *
 * Refusals carry CORS headers too: the page may read why it was refused, so the widget can stop
 * retrying and tell its site owner what to fix instead of looking offline.
 */
@Controller(VISITOR_TOKEN_PATH)
export class VisitorTokenController {
  private readonly logger = new Logger('VisitorToken');
  /** What was refused in the last interval, so it is logged once in each. */
  private readonly refusalsLogged = new LRUCache<string, true>({
    max: REFUSAL_LOG_KEYS,
    ttl: REFUSAL_LOG_INTERVAL_MS,
  });

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
  ): VisitorTokenResponse | VisitorTokenRefusal | { error: ErrorPayload } {
    response.setHeader('Cache-Control', 'no-store');
    response.setHeader('Vary', 'Origin');
    if (origin) response.setHeader('Access-Control-Allow-Origin', origin);
    const request = requestSchema.safeParse(body);
    if (!request.success) {
      response.status(HttpStatus.BAD_REQUEST);
      return {
        error: {
          code: 'bad_request',
          message: 'Send {"siteKey": "..."} as JSON: the script tag needs data-site-key.',
        },
      };
    }
    const { siteKey, previousToken } = request.data;
    const refusal = tokenRefusal(this.config.config.security.sites, siteKey, origin);
    if (refusal !== undefined || origin === undefined) {
      const reason = refusal ?? 'no_origin';
      this.logRefusal(reason, siteKey, origin);
      response.status(HttpStatus.FORBIDDEN);
      return refusalBody(reason, siteKey, origin);
    }
    response.status(HttpStatus.OK);
    const { token } = this.tokens.issue(siteKey, origin, previousToken);
    const { security, handoff } = this.config.config;
    return {
      token,
      expiresInSeconds: security.visitorTokenTtlSeconds,
      handoff: handoff.webhookUrl !== undefined || handoff.email !== undefined,
    };
  }

  /** Says which check refused, for whom; nothing the visitor typed is in a token request. */
  private logRefusal(
    reason: TokenRefusalReason,
    siteKey: string,
    origin: string | undefined,
  ): void {
    const key = `${reason} ${siteKey} ${origin ?? ''}`;
    if (this.refusalsLogged.has(key)) return;
    this.refusalsLogged.set(key, true);
    const fix =
      reason === 'unknown_site_key'
        ? 'the site key is not in SITES'
        : reason === 'origin_not_allowed'
          ? "the origin is not among the site key's origins in SITES"
          : 'the request has no Origin header (not a web page)';
    this.logger.warn({ msg: `visitor token refused: ${fix}`, reason, siteKey, origin });
  }
}
