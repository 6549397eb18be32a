import { Logger, UseFilters } from '@nestjs/common';
import {
  Ack,
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  type OnGatewayInit,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { type DefaultEventsMap, type Server, type Socket } from 'socket.io';
import { Drain } from '../health/drain';
import { Metrics } from '../metrics/metrics';
import { handshakeError, VisitorAuth, type VisitorSocketData } from '../security/visitor-auth';
import { type AnswerSink, ChatService } from './chat.service';
import { ChatExceptionFilter } from './chat-exception.filter';
import {
  type AckResponse,
  type AskAccepted,
  CLIENT_EVENTS,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from './protocol';

type ChatSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  DefaultEventsMap,
  VisitorSocketData
>;
/**
 * Between an answer's last event and closing its connection. Socket.IO clients dispatch received
 * events on the next tick, and drop whatever is still queued when the connection closes: events
 * immediately followed by a close can be lost.
 */
const LAST_EVENT_GRACE_MS = 500;

type ChatServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  DefaultEventsMap,
  VisitorSocketData
>;

/** Socket.IO adapter for ChatService: parses nothing and decides nothing, it only routes. */
@WebSocketGateway()
@UseFilters(ChatExceptionFilter)
export class ChatGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(ChatGateway.name);
  /** Resolves the drain once the last socket is gone. */
  private lastSocketGone?: () => void;

  constructor(
    private readonly chat: ChatService,
    private readonly metrics: Metrics,
    private readonly visitorAuth: VisitorAuth,
    private readonly drain: Drain,
  ) {}

  afterInit(server: ChatServer): void {
    server.use((_socket, next) => {
      next(
        this.drain.draining
          ? handshakeError('provider_unavailable', 'This server is shutting down. Connect again.')
          : undefined,
      );
    });
    server.use(this.visitorAuth.authenticate);
    this.drain.onDrain(async () => {
      const sockets = server.of('/').sockets;
      if (sockets.size === 0) return;
      const allGone = new Promise<void>((resolve) => (this.lastSocketGone = resolve));
      for (const socket of sockets.values()) {
        if (!this.chat.isAnswering(socket.id)) this.sendElsewhere(socket);
      }
      await allGone;
    });
  }

  handleConnection(socket: ChatSocket): void {
    this.metrics.connectionOpened();
    socket.onAny((event: unknown, ...args: unknown[]) => {
      if ((CLIENT_EVENTS as readonly unknown[]).includes(event)) return;
      const error = {
        code: 'bad_request' as const,
        message: `Unknown event "${String(event)}". Known events: ${CLIENT_EVENTS.join(', ')}.`,
      };
      socket.emit('error', error);
      const ack = args.at(-1);
      if (typeof ack === 'function')
        (ack as (response: AckResponse<object>) => void)({ ok: false, error });
    });
  }

  handleDisconnect(socket: ChatSocket): void {
    this.metrics.connectionClosed();
    this.chat.abandon(socket.id);
    if (socket.nsp.sockets.size === 0) this.lastSocketGone?.();
  }

  @SubscribeMessage('ask')
  async ask(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody() payload: unknown,
    @Ack() ack: ((response: AckResponse<AskAccepted>) => void) | undefined,
  ): Promise<void> {
    const accepted = await this.chat.accept(socket.id, payload, socket.data.visitor);
    const { conversationId, messageId } = accepted;
    ack?.({ ok: true, conversationId, messageId });
    void accepted.answer(this.sinkFor(socket, messageId));
  }

  @SubscribeMessage('cancel')
  cancel(@ConnectedSocket() socket: ChatSocket, @MessageBody() payload: unknown): void {
    this.chat.cancel(socket.id, payload);
  }

  @SubscribeMessage('feedback')
  async feedback(
    @MessageBody() payload: unknown,
    @Ack() ack: ((response: AckResponse<object>) => void) | undefined,
  ): Promise<void> {
    await this.chat.feedback(payload);
    ack?.({ ok: true });
  }

  private sinkFor(socket: ChatSocket, messageId: string): AnswerSink {
    return {
      token: (text) => socket.emit('token', { messageId, text }),
      sources: (sources) => socket.emit('sources', { messageId, sources }),
      done: (usage, cancelled) => {
        socket.emit('done', { messageId, usage, cancelled });
        if (this.drain.draining) this.sendElsewhere(socket);
      },
      error: (error) => {
        this.logger.debug(`answer ${messageId} failed: ${error.code}`);
        socket.emit('error', error);
        if (this.drain.draining) this.sendElsewhere(socket);
      },
    };
  }

  /**
   * Closes the connection itself rather than the Socket.IO session: the client sees a transport
   * close, which it answers by reconnecting, and the load balancer sends it to another task since
   * this one is failing readiness. (A server-side `disconnect()` would tell it not to reconnect.)
   */
  private sendElsewhere(socket: ChatSocket): void {
    setTimeout(() => socket.conn.close(), LAST_EVENT_GRACE_MS);
  }
}
