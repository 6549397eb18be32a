import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** What a visitor token vouches for. */
export interface VisitorClaims {
  siteKey: string;
  /** The Origin of the page the token was issued to; the socket must come from the same one. */
  origin: string;
  /** Stable across renewals, so per-visitor quotas survive a reconnect. */
  visitorId: string;
  /** Seconds since the epoch. */
  expiresAt: number;
}

export type VerifiedToken =
  { ok: true; claims: VisitorClaims } | { ok: false; reason: 'malformed' | 'forged' | 'expired' };

/** How long after expiry a token still passes on its visitor id when the widget renews it. */
const RENEWAL_GRACE_SECONDS = 24 * 60 * 60;
/** Domain separation: a MAC made for anything else with the same secret never verifies here. */
const MAC_CONTEXT = 'lorechat.visitor-token.v1.';

const claimsSchema = z.object({
  siteKey: z.string(),
  origin: z.string(),
  visitorId: z.string(),
  expiresAt: z.number(),
});

/**
 * Short-lived visitor tokens: base64url(JSON claims) "." base64url(HMAC-SHA256). Stateless, so any
 * task holding the same secret verifies them, and nothing is stored per visitor.
 */
export class VisitorTokens {
  constructor(
    private readonly secret: string,
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Issues a token for a page of `siteKey` on `origin`. A previous token of the same site and
   * origin, genuine and at most a day past its expiry, passes its visitor id on.
   */
  issue(
    siteKey: string,
    origin: string,
    previousToken?: string,
  ): { token: string; claims: VisitorClaims } {
    const previous = previousToken ? this.verify(previousToken, RENEWAL_GRACE_SECONDS) : undefined;
    const renewed =
      previous?.ok && previous.claims.siteKey === siteKey && previous.claims.origin === origin
        ? previous.claims.visitorId
        : undefined;
    const claims: VisitorClaims = {
      siteKey,
      origin,
      visitorId: renewed ?? randomUUID(),
      expiresAt: this.nowSeconds() + this.ttlSeconds,
    };
    const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
    return { token: `${payload}.${this.mac(payload)}`, claims };
  }

  /** Checks the signature first (nothing unsigned is parsed further), then the expiry. */
  verify(token: string, graceSeconds = 0): VerifiedToken {
    const [payload, mac, ...rest] = token.split('.');
    if (!payload || !mac || rest.length > 0) return { ok: false, reason: 'malformed' };
    const expected = Buffer.from(this.mac(payload));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { ok: false, reason: 'forged' };
    }
    const claims = claimsSchema.safeParse(parseJson(Buffer.from(payload, 'base64url').toString()));
    if (!claims.success) return { ok: false, reason: 'malformed' };
    if (claims.data.expiresAt + graceSeconds <= this.nowSeconds()) {
      return { ok: false, reason: 'expired' };
    }
    return { ok: true, claims: claims.data };
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.secret)
      .update(MAC_CONTEXT + payload)
      .digest('base64url');
  }

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
