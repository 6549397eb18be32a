import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Post, Res } from '@nestjs/common';
import { type Response } from 'express';
import { ConfigService } from '../config/config.service';
import { signInBody } from './admin-api';
import { AdminAuth, SESSION_COOKIE, SESSION_TTL_SECONDS } from './admin-auth';
import { adminError } from './admin.guard';
import { adminOpenApi } from './openapi';

/** backend/package.json, from src/admin (tests) or dist/admin (built). */
const VERSION = (
  JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  }
).version;

/** The admin routes anyone may call: signing the console in and out, and the API's document. */
@Controller('v1/admin')
export class AdminSessionController {
  constructor(
    private readonly auth: AdminAuth,
    private readonly config: ConfigService,
  ) {}

  @Post('session')
  @HttpCode(HttpStatus.NO_CONTENT)
  signIn(@Body() body: unknown, @Res({ passthrough: true }) response: Response): void {
    response.setHeader('Cache-Control', 'no-store');
    const parsed = signInBody.safeParse(body);
    if (!parsed.success) {
      throw adminError(HttpStatus.BAD_REQUEST, 'bad_request', 'Send {"token": "..."} as JSON.');
    }
    if (!this.auth.isAdminToken(parsed.data.token)) {
      throw adminError(HttpStatus.UNAUTHORIZED, 'unauthorized', 'That is not the admin token.');
    }
    response.cookie(
      SESSION_COOKIE,
      this.auth.newSession(),
      this.cookieOptions(SESSION_TTL_SECONDS),
    );
  }

  @Delete('session')
  @HttpCode(HttpStatus.NO_CONTENT)
  signOut(@Res({ passthrough: true }) response: Response): void {
    response.clearCookie(SESSION_COOKIE, this.cookieOptions(0));
  }

  @Get('openapi.json')
  openApi(): Record<string, unknown> {
    return adminOpenApi(VERSION, this.config.config.server.publicUrl);
  }

  private cookieOptions(maxAgeSeconds: number) {
    return {
      httpOnly: true,
      sameSite: 'strict' as const,
      // Over plain HTTP (a local `npm start`) a Secure cookie would never come back.
      secure: this.config.config.server.publicUrl.startsWith('https:'),
      path: '/',
      ...(maxAgeSeconds > 0 && { maxAge: maxAgeSeconds * 1000 }),
    };
  }
}
