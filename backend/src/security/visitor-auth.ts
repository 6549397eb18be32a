import { Injectable } from '@nestjs/common';
import { type Socket } from 'socket.io';
import { type ErrorPayload } from '@lorechat/contracts';
import { ConfigService } from '../config/config.service';
import { clientIp } from './client-ip';
import { type Visitor } from './quotas';
import { isOriginAllowed } from './origins';
import { VisitorTokens } from './visitor-tokens';

/** What the handshake leaves on `socket.data` for the chat. */
export interface VisitorSocketData {
  visitor: Visitor;
}

/** Socket.IO sends `message` and `data` of a middleware error to the client's `connect_error`. */
export type HandshakeError = Error & { data: ErrorPayload };

export function handshakeError(code: ErrorPayload['code'], message: string): HandshakeError {
  return Object.assign(new Error(message), { data: { code, message } });
}

/**
 * Admits a Socket.IO connection only with a genuine, unexpired visitor token, presented from the
 * origin it was issued to, for a site that still allows that origin. A refused handshake never
 * becomes a connection: the client gets `connect_error` with `data.code === 'unauthorized'`.
 */
@Injectable()
export class VisitorAuth {
  constructor(
    private readonly config: ConfigService,
    private readonly tokens: VisitorTokens,
  ) {}

  /** The `io.use` middleware. */
  readonly authenticate = (
    socket: Socket<never, never, never, Partial<VisitorSocketData>>,
    next: (error?: Error) => void,
  ): void => {
    const { sites, trustProxyHops } = this.config.config.security;
    const { auth, headers, address } = socket.handshake;
    const token = (auth as { token?: unknown }).token;
    if (typeof token !== 'string' || token === '') {
      next(handshakeError('unauthorized', 'A visitor token is required: POST /v1/visitor-token.'));
      return;
    }
    const verified = this.tokens.verify(token);
    if (!verified.ok) {
      const message =
        verified.reason === 'expired'
          ? 'The visitor token has expired: get a new one.'
          : 'The visitor token is not valid.';
      next(handshakeError('unauthorized', message));
      return;
    }
    const { claims } = verified;
    // A token lifted from one site's page and replayed from another origin is worthless.
    if (headers.origin !== claims.origin) {
      next(handshakeError('unauthorized', 'The visitor token belongs to another origin.'));
      return;
    }
    // The allow-list may have changed since the token was issued.
    if (!isOriginAllowed(sites, claims.siteKey, claims.origin)) {
      next(handshakeError('unauthorized', 'This site key is not allowed on this origin.'));
      return;
    }
    socket.data.visitor = {
      id: claims.visitorId,
      siteKey: claims.siteKey,
      ip: clientIp(address, headers['x-forwarded-for'], trustProxyHops),
    };
    next();
  };
}
