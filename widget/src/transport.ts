import {
  type AckResponse,
  type AskAccepted,
  type AskPayload,
  type ClientToServerEvents,
  type FeedbackPayload,
  type ServerToClientEvents,
  SOCKET_IO_PATH,
  VISITOR_TOKEN_PATH,
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
  /** Requests still waiting for their ack; a disconnect means they will never get one. */
  readonly #waitingForAck = new Set<() => void>();

  constructor(serverUrl: URL, siteKey: string, events: AnswerEvents) {
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
    let token: string | undefined;
    this.#socket = manager.socket('/', {
      auth: (send) => {
        fetch(`${serverUrl.href.replace(/\/+$/, '')}${VISITOR_TOKEN_PATH}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ siteKey, previousToken: token }),
        })
          .then((response) => response.json() as Promise<{ token?: string }>)
          .then((body) => (token = body.token))
          .catch(() => undefined)
          .finally(() => send({ token }));
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
      guard(() => {
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
  get status(): 'connecting' | 'online' | 'offline' {
    if (this.#socket.connected) return 'online';
    return this.#lost ? 'offline' : 'connecting';
  }

  connect(): void {
    this.#socket.connect();
  }

  ask(payload: AskPayload, reply: (response: AckResponse<AskAccepted> | undefined) => void): void {
    this.#request<AckResponse<AskAccepted>>((ack) => this.#socket.emit('ask', payload, ack), reply);
  }

  cancel(messageId: string): void {
    if (this.online) this.#socket.emit('cancel', { messageId });
  }

  feedback(payload: FeedbackPayload): Promise<boolean> {
    return new Promise((resolve) => {
      this.#request<AckResponse<object>>(
        (ack) => this.#socket.emit('feedback', payload, ack),
        (response) => resolve(response?.ok === true),
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
