import { io, type Socket } from 'socket.io-client';
import { type ClientToServerEvents, type ServerToClientEvents } from '@lorechat/contracts';

export type ChatSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** The page the benches' visitors claim to be on: allowed by the default `SITES` (`demo`). */
const ORIGIN = 'http://localhost:8080';

/**
 * A visitor of the `demo` site, as the widget connects: a visitor token, then a Socket.IO
 * connection of its own (never shared with another visitor) that does not reconnect.
 */
export async function connectVisitor(url: string): Promise<ChatSocket> {
  const response = await fetch(`${url}/v1/visitor-token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: ORIGIN },
    body: JSON.stringify({ siteKey: 'demo' }),
  });
  if (!response.ok) throw new Error(`no visitor token: HTTP ${response.status}`);
  const { token } = (await response.json()) as { token: string };
  const socket: ChatSocket = io(url, {
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
    auth: { token },
    extraHeaders: { origin: ORIGIN },
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}
