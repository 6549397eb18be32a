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
import { type DisconnectReason, type Server, type Socket } from 'socket.io';
import { ConfigService } from '../config/config.service';
import { Drain } from '../health/drain';
import { saneRequestId } from '../logging/http-logging';
import { Metrics } from '../metrics/metrics';
import { handshakeError, VisitorAuth, type VisitorSocketData } from '../security/visitor-auth';
import { type AnswerSink, ChatService } from './chat.service';
import { ChatExceptionFilter } from './chat-exception.filter';
import {
  type AckResponse,
  type AskAccepted,
  CLIENT_EVENTS,
  type ClientToServerEvents,
  type HandoffAccepted,
  type ServerToClientEvents,
} from '@lorechat/contracts';

/**
 * What the tasks of one deployment tell each other (through the Redis adapter) about a visitor
 * whose connection dropped on one task and was recovered on another. The task that was answering
 * keeps streaming (its events reach the visitor through the adapter), but the visitor's cancel and
 * disconnect arrive at the other task.
 */
interface TaskToTaskEvents {
  /** The visitor is back, on another task: keep its answers running. */
  recovered: (clientId: string) => void;
  /** The visitor asked to stop an answer this task is not running. */
  cancel: (clientId: string, messageId: string) => void;
  /** The recovered connection closed: stop its answers, as on a disconnect here. */
  disconnected: (clientId: string, reason: DisconnectReason) => void;
}

type ChatSocket = Socket<
  ClientToServerEvents,
  ServerToClientEvents,
  TaskToTaskEvents,
  VisitorSocketData
>;
/**
 * Between an answer's last event and closing its connection. Socket.IO clients dispatch received
 * events on the next tick, and drop whatever is still queued when the connection closes: events
 * immediately followed by a close can be lost.
 */
const LAST_EVENT_GRACE_MS = 500;

/** Disconnections Socket.IO may recover from: the network, not the visitor, ended them. */
const RECOVERABLE = new Set<DisconnectReason>([
  'transport close',
  'transport error',
  'ping timeout',
]);

type ChatServer = Server<
  ClientToServerEvents,
  ServerToClientEvents,
  TaskToTaskEvents,
  VisitorSocketData
>;

/** Socket.IO adapter for ChatService: parses nothing and decides nothing, it only routes. */
@WebSocketGateway()
@UseFilters(ChatExceptionFilter)
export class ChatGateway implements OnGatewayInit, OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(ChatGateway.name);
  /** Resolves the drain once the last socket is gone. */
  private lastSocketGone?: () => void;
  /** Answers of dropped connections, kept running while the connection may still recover. */
  private readonly abandonTimers = new Map<string, NodeJS.Timeout>();
  /** The other tasks, when there are any (Redis configured); undefined on a single task. */
  private otherTasks?: ChatServer;

  constructor(
    private readonly chat: ChatService,
    private readonly metrics: Metrics,
    private readonly visitorAuth: VisitorAuth,
    private readonly drain: Drain,
    private readonly config: ConfigService,
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
    if (this.config.config.redis) {
      this.otherTasks = server;
      server.on('recovered', (clientId) => this.keepAnswering(clientId));
      server.on('cancel', (clientId, messageId) => this.chat.cancel(clientId, { messageId }));
      server.on('disconnected', (clientId, reason) => this.abandonAnswers(clientId, reason));
    }
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
    const { visitor } = socket.data;
    // A proxy's X-Request-Id on the handshake ties the connection to that proxy's log.
    const requestId = saneRequestId(socket.handshake.headers['x-request-id']);
    this.logger.debug({
      msg: 'connection opened',
      connectionId: socket.id,
      recovered: socket.recovered,
      siteKey: visitor.siteKey,
      ...(requestId && { requestId }),
      ...(this.config.config.server.logContent && { ip: visitor.ip }),
    });
    if (socket.recovered) {
      this.keepAnswering(socket.id);
      this.otherTasks?.serverSideEmit('recovered', socket.id);
    }
    socket.once('disconnect', (reason) => {
      this.logger.debug({ msg: 'connection closed', connectionId: socket.id, reason });
      this.abandonAnswers(socket.id, reason);
      // A recovered connection may have come from another task that is still answering it.
      if (socket.recovered) this.otherTasks?.serverSideEmit('disconnected', socket.id, reason);
    });
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
    const { messageId, stopped } = this.chat.cancel(socket.id, payload);
    if (!stopped && socket.recovered)
      this.otherTasks?.serverSideEmit('cancel', socket.id, messageId);
  }

  @SubscribeMessage('feedback')
  async feedback(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody() payload: unknown,
    @Ack() ack: ((response: AckResponse<object>) => void) | undefined,
  ): Promise<void> {
    await this.chat.feedback(payload, socket.data.visitor);
    ack?.({ ok: true });
  }

  @SubscribeMessage('handoff')
  async handoff(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody() payload: unknown,
    @Ack() ack: ((response: AckResponse<HandoffAccepted>) => void) | undefined,
  ): Promise<void> {
    const accepted = await this.chat.handoff(payload, socket.data.visitor);
    ack?.({ ok: true, ...accepted });
  }

  private sinkFor(socket: ChatSocket, messageId: string): AnswerSink {
    return {
      token: (text) => socket.emit('token', { messageId, text }),
      sources: (sources) => socket.emit('sources', { messageId, sources }),
      done: (usage, cancelled, outcome) => {
        socket.emit('done', { messageId, usage, cancelled, outcome });
        if (this.drain.draining) this.sendElsewhere(socket);
      },
      error: (error) => {
        socket.emit('error', error);
        if (this.drain.draining) this.sendElsewhere(socket);
      },
    };
  }

  /**
   * Stops the answers of a client that went away, so no provider keeps generating for nobody. A
   * dropped connection (not a deliberate disconnect) may come back within the recovery window
   * under the same id: its answers keep streaming meanwhile, into the session that Socket.IO
   * replays on recovery, and are stopped only if it does not.
   */
  private abandonAnswers(clientId: string, reason: DisconnectReason): void {
    const { connectionRecoveryMs } = this.config.config.chat;
    if (
      connectionRecoveryMs === 0 ||
      !RECOVERABLE.has(reason) ||
      !this.chat.isAnswering(clientId)
    ) {
      this.chat.abandon(clientId);
      return;
    }
    const timer = setTimeout(() => {
      this.abandonTimers.delete(clientId);
      this.chat.abandon(clientId);
    }, connectionRecoveryMs);
    timer.unref();
    this.abandonTimers.set(clientId, timer);
  }

  /** The client is connected again, here or on another task: its answers go on. */
  private keepAnswering(clientId: string): void {
    clearTimeout(this.abandonTimers.get(clientId));
    this.abandonTimers.delete(clientId);
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
