import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import { type PageTask, type PreparedPage } from './page-worker';

/**
 * Run from the TypeScript sources (the test runner), the worker loads them through the repository's
 * transpile-on-load preload; the compiled build runs the worker's JavaScript.
 */
const FROM_SOURCES = __filename.endsWith('.ts');
const TYPESCRIPT_PRELOAD = join(
  __dirname,
  '..',
  '..',
  '..',
  '..',
  'scripts',
  'register-typescript.js',
);

/**
 * Worker threads for the CPU-bound part of crawling (see page-worker.ts). One per core by default:
 * the main thread is mostly waiting on sockets and SQLite while the workers parse.
 */
export class PagePool {
  private readonly pool: Piscina<PageTask, PreparedPage>;

  constructor(threads = availableParallelism()) {
    const size = Math.max(1, threads);
    this.pool = new Piscina({
      filename: join(__dirname, FROM_SOURCES ? 'page-worker.ts' : 'page-worker.js'),
      minThreads: size,
      maxThreads: size,
      // Compiled, workers inherit Node's own flags (--cpu-prof profiles them too).
      execArgv: FROM_SOURCES ? ['--require', TYPESCRIPT_PRELOAD] : undefined,
    });
  }

  prepare(task: PageTask): Promise<PreparedPage> {
    return this.pool.run(task);
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}
