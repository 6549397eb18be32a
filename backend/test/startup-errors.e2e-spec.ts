/**
 * `npm start` when it cannot start: the real server process (src/main.ts through
 * scripts/register-typescript.js) prints one clear line naming the cause and the fix before any
 * stack trace, and exits non-zero. The port is taken by a real listener. (Qdrant or Redis down is
 * not such a case: the server starts degraded, as degraded-start.e2e-spec.ts shows.)
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { E2E_TOKEN_SECRET, FIXTURE_DOCS } from './support/app';

const ROOT = join(__dirname, '..', '..');

async function listening(): Promise<Server> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

/** Runs the server until it exits; returns its exit code and its first line on stderr. */
async function failedStart(
  env: NodeJS.ProcessEnv,
): Promise<{ code: number | null; first: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'lorechat-startup-'));
  try {
    const child = spawn(
      process.execPath,
      [
        '-r',
        join(ROOT, 'scripts', 'register-typescript.js'),
        join(ROOT, 'backend', 'src', 'main.ts'),
      ],
      {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH,
          HOST: '127.0.0.1',
          LORECHAT_DATA_DIR: dataDir,
          LORECHAT_DOCS_DIR: FIXTURE_DOCS,
          VISITOR_TOKEN_SECRET: E2E_TOKEN_SECRET,
          ...env,
        },
        stdio: ['ignore', 'ignore', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    const [code] = (await once(child, 'exit')) as [number | null];
    clearTimeout(timer);
    return { code, first: stderr.split('\n')[0] ?? '' };
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('a server that cannot start says why in one line', () => {
  it('when its port is in use', async () => {
    const taken = await listening();
    const { port } = taken.address() as AddressInfo;
    try {
      const { code, first } = await failedStart({ PORT: String(port) });
      expect(code).toBe(1);
      expect(first).toBe(
        `lorechat: Port ${port} on 127.0.0.1 is already in use (another LoreChat, or another server): stop it, or start with PORT=${port + 1} npm start.`,
      );
    } finally {
      taken.close();
    }
  });
});
