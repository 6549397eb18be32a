import {
  type CanActivate,
  type ExecutionContext,
  HttpException,
  HttpStatus,
  Injectable,
} from '@nestjs/common';
import { parse as parseCookies } from 'cookie';
import { type Request } from 'express';
import { AdminAuth, SESSION_COOKIE } from './admin-auth';

/**
 * The header the console sends with every request. A page on another site can make a browser send
 * the session cookie (SameSite=Strict already stops that in current browsers) but cannot add a
 * custom header without a CORS preflight, which this server never grants: a second lock against
 * cross-site requests.
 */
export const CONSOLE_HEADER = 'x-lorechat-console';

export function adminError(status: HttpStatus, code: string, message: string): HttpException {
  return new HttpException({ error: { code, message } }, status);
}

/** Admits a request with the admin token as Bearer token, or the console's session cookie. */
@Injectable()
export class AdminGuard implements CanActivate {
  constructor(private readonly auth: AdminAuth) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    if (!this.auth.enabled) {
      throw adminError(
        HttpStatus.UNAUTHORIZED,
        'unauthorized',
        'The admin API is closed: set ADMIN_TOKEN to open it.',
      );
    }
    if (this.auth.isAdminBearer(request.headers.authorization)) return true;
    const session = parseCookies(request.headers.cookie ?? '')[SESSION_COOKIE];
    if (this.auth.isSession(session) && request.headers[CONSOLE_HEADER] === '1') return true;
    throw adminError(
      HttpStatus.UNAUTHORIZED,
      'unauthorized',
      'Send Authorization: Bearer <ADMIN_TOKEN>, or sign in at /admin.',
    );
  }
}
