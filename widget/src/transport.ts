import {
  type AckResponse,
  type AskAccepted,
  type AskPayload,
  type ClientToServerEvents,
  type FeedbackPayload,
  type HandoffPayload,
  type ServerToClientEvents,
  SOCKET_IO_PATH,
  VISITOR_TOKEN_PATH,
  type VisitorTokenRefusal,
  type VisitorTokenResponse,
} from '@lorechat/contracts';
import { Manager, type Socket } from 'socket.io-client';
import { type AnswerEvents, type ChatConnection } from './conversation';
import { guard } from './guard';

/** How long an ack may take before the question is shown as failed (with Retry). */
const ACK_TIMEOUT_MS = 15_000;

type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/**
 * The chat protocol over Socket.IO. The socket is created but not connected until the visitor
 * needs it (opening the panel, or a queued question), so pages where nobody chats open no
 * connection. Reconnection with backoff is Socket.IO's own; this class reports online and offline
 * and never lets Socket.IO buffer an event while offline, which would send it again on reconnect.
 */
export class SocketConnection implements ChatConnection {
  readonly #socket: ChatSocket;
  #lost = false;
  /** Set when the server refused this site key or origin: retrying cannot help. */
  refused = false;
  /** Requests still waiting for their ack; a disconnect means they will never get one. */
  readonly #waitingForAck = new Set<() => void>();

  /**
   * `tokens` keeps the visitor token between pages (renewing it keeps the visitor's id);
   * `offersHandoff` is called when the server says the site owner can be reached from the chat.
   */
  constructor(
    serverUrl: URL,
    siteKey: string,
    events: AnswerEvents,
    tokens: { saved?: string; save(token: string): void },
    offersHandoff: () => void,
  ) {
    const manager = new Manager(serverUrl.origin, {
      // A server behind a path prefix (https://example.com/lorechat) serves Socket.IO under it.
      path: `${serverUrl.pathname.replace(/\/+$/, '')}${SOCKET_IO_PATH}`,
      // WebSocket only: no long-polling code in the bundle, and no sticky sessions needed when
      // several servers sit behind a load balancer.
      transports: ['websocket'],
      autoConnect: false,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 5000,
    });
    // A fresh visitor token for every connection attempt: tokens are short-lived, and the last
    // one is sent along so the server keeps this visitor's id. Without one the server refuses.
    let token = tokens.saved;
    let warned = false;
    // Likely a wrong data-server-url: said once, then retried like any outage.
    const warnOnce = (error: unknown) => {
      if (!warned) console.warn(`LoreChat: cannot reach ${serverUrl.href}: ${String(error)}`);
      warned = true;
    };
    const tokenUrl = `${serverUrl.href.replace(/\/+$/, '')}${VISITOR_TOKEN_PATH}`;
    this.#socket = manager.socket('/', {
      auth: (send) => {
        fetch(tokenUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ siteKey, previousToken: token }),
        })
          .then(async (response) => {
            const body = (await response.json()) as Partial<
              VisitorTokenResponse & VisitorTokenRefusal
            >;
            // 400 and 403 come with CORS headers and say what the site owner must fix.
            if (response.status === 400 || response.status === 403) {
              this.refused = true;
              console.error(`LoreChat: ${body.error?.message ?? response.status}`);
              this.#socket.disconnect();
              events.refused();
              return;
            }
            if (!response.ok) throw new Error(`HTTP ${response.status}`);
            if (body.handoff) offersHandoff();
            token = body.token;
            if (token) tokens.save(token);
            send({ token });
          })
          .catch((error: unknown) => {
            warnOnce(error);
            send({ token });
          });
      },
    });
    const offline = guard(() => {
      this.#lost = true;
      for (const giveUp of [...this.#waitingForAck]) giveUp();
      events.offline();
    });
    this.#socket.on(
      'connect',
      guard(() => {
        this.#lost = false;
        events.online(this.#socket.recovered);
      }),
    );
    this.#socket.on('disconnect', offline);
    this.#socket.on(
      'connect_error',
      guard((error) => {
        // A refused handshake carries data; without, the server could not be reached at all.
        if (!('data' in error)) warnOnce(error.message);
        offline();
        // A refused handshake (no token, or a draining server) stops Socket.IO's own retries.
        if (!this.#socket.active) setTimeout(() => this.#socket.connect(), 5000);
      }),
    );
    this.#socket.on(
      'token',
      guard((payload) => events.token(payload)),
    );
    this.#socket.on(
      'sources',
      guard((payload) => events.sources(payload)),
    );
    this.#socket.on(
      'done',
      guard((payload) => events.done(payload)),
    );
    this.#socket.on(
      'error',
      guard((payload) => events.error(payload)),
    );
  }

  get online(): boolean {
    return this.#socket.connected;
  }

  /** For the panel: `offline` once a connection attempt failed or an open connection dropped. */
  get status(): 'connecting' | 'online' | 'offline' | 'refused' {
    if (this.refused) return 'refused';
    if (this.#socket.connected) return 'online';
    return this.#lost ? 'offline' : 'connecting';
  }

  connect(): void {
    if (!this.refused) this.#socket.connect();
  }

  ask(payload: AskPayload, reply: (response: AckResponse<AskAccepted> | undefined) => void): void {
    this.#request<AckResponse<AskAccepted>>((ack) => this.#socket.emit('ask', payload, ack), reply);
  }

  cancel(messageId: string): void {
    if (this.online) this.#socket.emit('cancel', { messageId });
  }

  feedback(payload: FeedbackPayload): Promise<boolean> {
    return this.send('feedback', payload).then((response) => response?.ok === true);
  }

  /** Emits an event that is acknowledged: resolves with the ack, or undefined if none came. */
  send<Event extends 'feedback' | 'handoff'>(
    event: Event,
    payload: Parameters<ClientToServerEvents[Event]>[0],
  ): Promise<Parameters<NonNullable<Parameters<ClientToServerEvents[Event]>[1]>>[0] | undefined> {
    return new Promise((resolve) => {
      // One emit for either event: their acks differ only in what `ok: true` carries.
      this.#request(
        (ack) => this.#socket.emit(event as 'handoff', payload as HandoffPayload, ack),
        resolve,
      );
    });
  }

  /**
   * Emits with an acknowledgement and calls `reply` exactly once: with the ack, or with undefined
   * when none comes in time or the connection drops first. Nothing is emitted while offline.
   */
  #request<Response>(
    emit: (ack: (response: Response) => void) => void,
    reply: (response: Response | undefined) => void,
  ): void {
    if (!this.online) {
      reply(undefined);
      return;
    }
    let replied = false;
    const settle = (response?: Response) => {
      if (replied) return;
      replied = true;
      clearTimeout(timer);
      this.#waitingForAck.delete(giveUp);
      reply(response);
    };
    const giveUp = () => settle(undefined);
    const timer = setTimeout(guard(giveUp), ACK_TIMEOUT_MS);
    this.#waitingForAck.add(giveUp);
    emit(guard(settle));
  }

  close(): void {
    this.#socket.disconnect();
  }
}
