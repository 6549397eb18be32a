import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { type AdminTokenSource } from './admin-token';

/** The console's session cookie. */
export const SESSION_COOKIE = 'lorechat_admin';
export const SESSION_TTL_SECONDS = 12 * 60 * 60;
/** Domain separation: a MAC made for anything else with the same key never verifies here. */
const SESSION_CONTEXT = 'lorechat.admin-session.v1.';

/** Equal lengths for timingSafeEqual, whatever was sent: compare digests, not the strings. */
function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Who may use the admin API: a request with `Authorization: Bearer <ADMIN_TOKEN>`, or the console
 * with a session cookie it got by signing in with that token. Sessions are stateless (expiry and
 * an HMAC keyed by the token), so every task accepts them and changing ADMIN_TOKEN ends them all.
 */
export class AdminAuth {
  private readonly sessionKey?: Buffer;
  private readonly token?: string;

  constructor(
    /** Where the token came from, so start-up can tell the owner where to find it. */
    readonly source: AdminTokenSource,
    private readonly now: () => number = Date.now,
  ) {
    this.token = source.kind === 'none' ? undefined : source.token;
    this.sessionKey = this.token === undefined ? undefined : digest(`session-key:${this.token}`);
  }

  /** False when there is no admin token (production without ADMIN_TOKEN): nothing is admitted. */
  get enabled(): boolean {
    return this.token !== undefined;
  }

  /** Checks a token typed at sign-in or sent as a Bearer token, in constant time. */
  isAdminToken(given: string | undefined): boolean {
    if (this.token === undefined || given === undefined || given === '') return false;
    return sameSecret(given, this.token);
  }

  /** The `Authorization` header's Bearer token, if it is the admin token. */
  isAdminBearer(header: string | undefined): boolean {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    return this.isAdminToken(match?.[1]);
  }

  newSession(): string {
    const expiresAt = Math.floor(this.now() / 1000) + SESSION_TTL_SECONDS;
    return `${expiresAt}.${this.mac(String(expiresAt))}`;
  }

  isSession(value: string | undefined): boolean {
    if (!this.sessionKey || !value) return false;
    const [expiresAt, mac, ...rest] = value.split('.');
    if (!expiresAt || !mac || rest.length > 0 || !/^\d+$/.test(expiresAt)) return false;
    if (!sameSecret(mac, this.mac(expiresAt))) return false;
    return Number(expiresAt) > this.now() / 1000;
  }

  private mac(payload: string): string {
    return createHmac('sha256', this.sessionKey ?? Buffer.alloc(32))
      .update(SESSION_CONTEXT + payload)
      .digest('base64url');
  }
}
