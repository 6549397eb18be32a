import { Logger, UseFilters } from '@nestjs/common';
import {
  Ack,
  ConnectedSocket,
  MessageBody,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
  SubscribeMessage,
  WebSocketGateway,
} from '@nestjs/websockets';
import { type Socket } from 'socket.io';
import { type AnswerSink, ChatService } from './chat.service';
import { ChatExceptionFilter } from './chat-exception.filter';
import {
  type AckResponse,
  type AskAccepted,
  CLIENT_EVENTS,
  type ClientToServerEvents,
  type ServerToClientEvents,
} from './protocol';

type ChatSocket = Socket<ClientToServerEvents, ServerToClientEvents>;

/** Socket.IO adapter for ChatService: parses nothing and decides nothing, it only routes. */
@WebSocketGateway()
@UseFilters(ChatExceptionFilter)
export class ChatGateway implements OnGatewayConnection, OnGatewayDisconnect {
  private readonly logger = new Logger(ChatGateway.name);

  constructor(private readonly chat: ChatService) {}

  handleConnection(socket: ChatSocket): void {
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
    this.chat.abandon(socket.id);
  }

  @SubscribeMessage('ask')
  async ask(
    @ConnectedSocket() socket: ChatSocket,
    @MessageBody() payload: unknown,
    @Ack() ack: ((response: AckResponse<AskAccepted>) => void) | undefined,
  ): Promise<void> {
    const accepted = await this.chat.accept(socket.id, payload);
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
      done: (usage, cancelled) => socket.emit('done', { messageId, usage, cancelled }),
      error: (error) => {
        this.logger.debug(`answer ${messageId} failed: ${error.code}`);
        socket.emit('error', error);
      },
    };
  }
}
