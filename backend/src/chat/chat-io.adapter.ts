import { type INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { type ServerOptions } from 'socket.io';

/**
 * Socket.IO server options that depend on configuration. The transport's buffer limit sits well
 * above MAX_MESSAGE_CHARS so that an over-long question reaches the gateway and gets a clear
 * `too_large` error, while a payload far beyond any question is refused by the transport itself.
 */
export class ChatIoAdapter extends IoAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly maxMessageChars: number,
  ) {
    super(app);
  }

  override createIOServer(port: number, options?: ServerOptions): unknown {
    return super.createIOServer(port, {
      ...options,
      // Four bytes per character covers any UTF-8 text, plus room for the rest of the envelope.
      maxHttpBufferSize: Math.max(64 * 1024, this.maxMessageChars * 4 * 2),
      // The widget is embedded on the site owner's pages, which are on other origins.
      cors: { origin: true, credentials: false },
    });
  }
}
