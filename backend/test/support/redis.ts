import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { freePort } from '../../src/bench/free-port';
import { type RedisConnection } from '../../src/redis/redis-connection';

/**
 * A real redis-server from Debian's `redis-server` package (installed by `npm test` when missing), one per test
 * file, on a free loopback port, so a test can stop and restart it without disturbing others.
 * Nothing is persisted: the tests need Redis' behaviour, not its disk.
 */
export class RedisServer {
  private process?: ChildProcess;

  private constructor(readonly port: number) {}

  static async start(port?: number): Promise<RedisServer> {
    const server = new RedisServer(port ?? (await freePort()));
    await server.restart();
    return server;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** Starts it again on the same port, empty, after `stop`. */
  async restart(): Promise<void> {
    const child = spawn(
      process.env.REDIS_SERVER ?? 'redis-server',
      ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.process = child;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const onData = (data: Buffer) => {
        output += data.toString();
        if (output.includes('Ready to accept connections')) resolve();
      };
      child.stdout.on('data', onData);
      child.on('error', (error) =>
        reject(
          new Error(
            `redis-server could not start (apt-get install redis-server): ${error.message}`,
          ),
        ),
      );
      child.on('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
    });
  }

  /** Kills it as a crash or a lost node would: connections drop, nothing is saved. */
  async stop(): Promise<void> {
    const child = this.process;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }
}

/** A key prefix of its own for each application under test, as separate installations have. */
/**
 * Resolves once the connection can take commands. Checking first matters: ioredis emits 'ready'
 * once, so a connection that became ready while the test was busy would otherwise be waited on
 * forever.
 */
export async function untilReady(connection: RedisConnection): Promise<void> {
  if (!connection.available) await once(connection.client, 'ready');
}

export function uniquePrefix(): string {
  return `test-${randomUUID().slice(0, 8)}:`;
}
