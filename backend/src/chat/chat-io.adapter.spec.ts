import { Server } from 'socket.io';
import { promptlyPrunedSessionAdapter } from './chat-io.adapter';

describe('promptlyPrunedSessionAdapter', () => {
  it('keeps the events of the recovery window and drops older ones within a second', async () => {
    // A real Socket.IO server (not listening: broadcasts are buffered all the same).
    const io = new Server({
      connectionStateRecovery: { maxDisconnectionDuration: 300 },
      adapter: promptlyPrunedSessionAdapter(300),
    });
    const buffered = () => (io.of('/').adapter as unknown as { packets: unknown[] }).packets;
    try {
      for (let i = 0; i < 5; i++) io.to('a-visitor').emit('token', { text: `w${i}` });
      expect(buffered()).toHaveLength(5);
      await new Promise((resolve) => setTimeout(resolve, 1500));
      io.to('a-visitor').emit('token', { text: 'recent' });
      expect(buffered()).toHaveLength(1);
    } finally {
      await io.of('/').adapter.close();
    }
  });
});
