import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { type Socket } from 'socket.io';
import { toErrorPayload } from './chat-error';
import { type AckResponse } from '@lorechat/contracts';

/**
 * Turns anything a gateway handler throws into the protocol's `error` event, and into the event's
 * acknowledgement when the client asked for one, so a client waiting on an ack is never left hanging.
 */
@Catch()
export class ChatExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const socket = host.switchToWs().getClient<Socket>();
    const error = toErrorPayload(exception);
    socket.emit('error', error);
    const ack = host
      .getArgs()
      .find((arg): arg is (response: AckResponse<object>) => void => typeof arg === 'function');
    ack?.({ ok: false, error });
  }
}
