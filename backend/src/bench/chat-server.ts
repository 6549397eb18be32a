/**
 * A server under test of `npm run bench:chat`: LoreChat as `npm start` runs it (`dist/main.js`),
 * or the bare relay (chat-relay.ts), each with the probe preloaded and an IPC channel to it, and
 * optionally bound to one CPU with `taskset` (util-linux).
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type ProbeReply, type ProbeRequest } from './chat-backend-probe';
import { processTree, processTreeCpuMs } from './chat-cpu';

export interface ServerSpec {
  /** Its key in the report: `lorechat`, `relay`, `lorechat_2_workers`. */
  name: string;
  kind: 'lorechat' | 'relay';
  env: NodeJS.ProcessEnv;
  /** Cluster workers to wait for; 1 when the server is one process. */
  workers: number;
  /** Writes CPU profiles into DIR/<name>. */
  cpuProfDir?: string;
  /** Binds the server (and any worker it starts) to this CPU. */
  cpu?: number;
}

export class ServerUnderTest {
  private exited?: string;
  private readonly output: string[] = [];
  private waiting?: (reply: ProbeReply) => void;

  private constructor(
    readonly spec: ServerSpec,
    private readonly child: ChildProcess,
    readonly url: string,
  ) {
    const keep = (chunk: Buffer) => {
      const text = chunk.toString();
      process.stderr.write(text.replace(/^(?=.)/gm, `[${spec.name}] `));
      this.output.push(text);
      if (this.output.length > 50) this.output.shift();
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('message', (reply: ProbeReply) => {
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.(reply);
    });
    child.on('exit', (code, signal) => {
      this.exited = `${spec.name} exited (${signal ?? code})`;
    });
  }

  get name(): string {
    return this.spec.name;
  }

  get pid(): number {
    return this.child.pid ?? 0;
  }

  static async start(spec: ServerSpec): Promise<ServerUnderTest> {
    const ext = extname(__filename);
    const script =
      spec.kind === 'lorechat'
        ? resolve(__dirname, `../main${ext}`)
        : resolve(__dirname, `chat-relay${ext}`);
    const profileDir = spec.cpuProfDir && join(resolve(spec.cpuProfDir), spec.name);
    if (profileDir) mkdirSync(profileDir, { recursive: true });
    const nodeArgs = [
      ...process.execArgv,
      '--expose-gc',
      '--require',
      resolve(__dirname, `chat-backend-probe${ext}`),
      ...(profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : []),
    ];
    const stdio: ['ignore', 'pipe', 'pipe', 'ipc'] = ['ignore', 'pipe', 'pipe', 'ipc'];
    // taskset execs node in its own place: the pid, the pipes and the IPC channel stay node's.
    const child =
      spec.cpu === undefined
        ? fork(script, [], { env: spec.env, execArgv: nodeArgs, stdio })
        : spawn('taskset', ['-c', String(spec.cpu), process.execPath, ...nodeArgs, script], {
            env: spec.env,
            stdio,
          });
    // Whatever happens to this process, the server does not outlive it.
    process.once('exit', () => child.kill('SIGKILL'));
    const server = new ServerUnderTest(spec, child, `http://127.0.0.1:${spec.env.PORT}`);
    await server.ready();
    return server;
  }

  /** Waits until /health answers (LoreChat's with the docs indexed) and every worker listens. */
  private async ready(): Promise<void> {
    const deadline = Date.now() + 180_000;
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`${this.exited}:\n${this.output.join('')}`);
      try {
        const response = await fetch(`${this.url}/health`);
        const health = (await response.json()) as {
          dependencies?: { index?: { documents?: number } };
        };
        const indexed =
          this.spec.kind === 'relay' || (health.dependencies?.index?.documents ?? 0) > 0;
        if (
          response.ok &&
          indexed &&
          (this.spec.workers <= 1 ||
            (await this.probe(false)).workersListening >= this.spec.workers)
        ) {
          return;
        }
      } catch {
        // Not listening yet.
      }
      await sleep(200);
    }
    throw new Error(`${this.name} was not ready within 180 s`);
  }

  probe(gc: boolean): Promise<ProbeReply> {
    if (this.exited) return Promise.reject(new Error(this.exited));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: no probe reply`)), 30_000);
      this.waiting = (reply) => {
        clearTimeout(timer);
        resolve(reply);
      };
      this.child.send({ type: 'probe', gc } satisfies ProbeRequest);
    });
  }

  /** CPU time of the server and its workers, ms. */
  cpu(): { cpuMs: number; systemCpuMs: number } {
    return processTreeCpuMs(this.pid);
  }

  /** Resident memory after a full collection, sampled until two readings agree within 1%. */
  async settledMemory(): Promise<ProbeReply> {
    let previous = await this.probe(true);
    for (let attempt = 0; attempt < 10; attempt += 1) {
      await sleep(1000);
      const current = await this.probe(true);
      if (Math.abs(current.rssBytes - previous.rssBytes) <= previous.rssBytes * 0.01) {
        return current;
      }
      previous = current;
    }
    return previous;
  }

  /** Peak resident memory since start (VmHWM), bytes, summed over the server and its workers. */
  peakRss(): number {
    let bytes = 0;
    for (const pid of processTree(this.pid)) {
      try {
        const status = readFileSync(`/proc/${pid}/status`, 'utf8');
        bytes += Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? 0) * 1024;
      } catch {
        // Gone meanwhile.
      }
    }
    return bytes;
  }

  /** SIGTERM (LoreChat drains and exits), then SIGKILL if it takes over 15 s. */
  async stop(): Promise<void> {
    if (this.exited) return;
    const gone = new Promise<void>((done) => this.child.once('exit', () => done()));
    this.child.kill('SIGTERM');
    const killed = await Promise.race([gone.then(() => false), sleep(15_000).then(() => true)]);
    if (killed) {
      this.child.kill('SIGKILL');
      await gone;
    }
  }
}

/**
 * A redis-server (Debian's `redis-server`) on a free port for the servers under test, holding
 * nothing on disk; bound to `cpu` when given, as part of the stack under test.
 */
export async function startRedis(
  port: number,
  cpu?: number,
): Promise<{ url: string; stop: () => void }> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
  const child =
    cpu === undefined
      ? spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn('taskset', ['-c', String(cpu), 'redis-server', ...args], {
          stdio: ['ignore', 'pipe', 'pipe'],
        });
  process.once('exit', () => child.kill('SIGKILL'));
  await new Promise<void>((resolve, reject) => {
    let output = '';
    child.stdout.on('data', (data: Buffer) => {
      output += data.toString();
      if (output.includes('Ready to accept connections')) resolve();
    });
    child.on('error', (error) =>
      reject(
        new Error(`redis-server could not start (apt-get install redis-server): ${error.message}`),
      ),
    );
    child.on('exit', (code) => reject(new Error(`redis-server exited (${code}): ${output}`)));
  });
  return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill('SIGKILL') };
}
