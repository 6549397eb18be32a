import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import { type AddressInfo } from 'node:net';
import { loadConfig } from './config/app-config';
import { startupErrorLine } from './startup-error';

/** A real error of the kind `work` throws. */
async function errorOf(work: () => Promise<unknown>): Promise<unknown> {
  try {
    await work();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

async function listening(port = 0): Promise<Server> {
  const server = createServer();
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

describe('startupErrorLine', () => {
  let taken: Server;
  let port: number;
  beforeAll(async () => {
    taken = await listening();
    port = (taken.address() as AddressInfo).port;
  });
  afterAll(() => taken.close());

  it('names the port that is in use and another to try', async () => {
    const error = await errorOf(() => listening(port));
    const config = loadConfig({ PORT: String(port), HOST: '127.0.0.1' });
    expect(startupErrorLine(error, config)).toBe(
      `Port ${port} on 127.0.0.1 is already in use (another LoreChat, or another server): stop it, or start with PORT=${port + 1} npm start.`,
    );
  });

  it('names Qdrant when it is the server that does not answer', async () => {
    const closed = await listening();
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const url = `http://127.0.0.1:${closedPort}`;
    const error = await errorOf(() => fetch(`${url}/collections`));
    const config = loadConfig({ VECTOR_STORE: 'qdrant', QDRANT_URL: url });
    expect(startupErrorLine(error, config)).toBe(
      `Qdrant at ${url} cannot be reached (ECONNREFUSED): start it, or unset VECTOR_STORE to use the embedded store.`,
    );
    // Another server that is down is named by its address.
    expect(startupErrorLine(error, loadConfig({}))).toBe(
      `A server LoreChat needs cannot be reached at 127.0.0.1:${closedPort} (ECONNREFUSED).`,
    );
  });

  it('names a missing package and the command that installs it', async () => {
    const error = await errorOf(() =>
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      Promise.resolve().then(() => require('lorechat-no-such-package') as unknown),
    );
    expect(startupErrorLine(error, loadConfig({}))).toBe(
      'A package is missing (lorechat-no-such-package): run npm install at the repository root.',
    );
  });

  it('says nothing of an error it cannot explain better than its stack trace', () => {
    expect(startupErrorLine(new TypeError('x is undefined'), loadConfig({}))).toBeUndefined();
  });
});
