import { type AddressInfo, createServer } from 'node:net';

/**
 * A loopback port free right now, for a server that must be told its port up front (a child
 * process, a redis-server): the benches and the tests that start such servers share it.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
