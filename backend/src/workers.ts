import cluster, { type Worker } from 'node:cluster';
import { randomBytes } from 'node:crypto';
import { type AppConfig } from './config/app-config';
import { createAppLogger, createLogger } from './logging/logger';

/** After the drain deadline, how long the workers get to close before they are killed. */
const EXIT_GRACE_MS = 10_000;

/**
 * The primary process when WORKERS is above 1: it serves nothing itself, but starts the workers,
 * which share the port (node:cluster hands each new connection to the next worker in turn) and
 * each run the whole application, so one task uses all its vCPUs. The widget talks WebSocket
 * only, so a visitor's connection lives on one worker from start to end and needs no sticky
 * routing; everything the workers must share (conversations, quotas, the response cache,
 * recoverable connections and the events between them) goes through Redis, as between tasks,
 * which is why the configuration requires REDIS_URL with more than one worker.
 *
 * - The first worker starts alone and the others once it listens, so only one of them indexes the
 *   docs into an empty data folder.
 * - Without VISITOR_TOKEN_SECRET each process would sign visitor tokens with its own secret and
 *   refuse the others': the workers get one random secret, shared for this run.
 * - A worker that dies is replaced, unless it died before it ever listened (a start-up failure,
 *   which the next worker would repeat): then the primary stops the others and exits 1.
 * - SIGTERM or SIGINT: every worker drains (readiness fails, answers in flight finish within
 *   DRAIN_TIMEOUT_MS, visitors are sent elsewhere), and the primary exits once all have, 0 if
 *   they all exited 0. A second signal tells the workers to stop at once.
 */
export function runWorkers(config: AppConfig): void {
  const appLogger = createAppLogger(createLogger(config.server.logLevel));
  const logger = {
    log: (message: string) => appLogger.log(message, 'Workers'),
    warn: (message: string) => appLogger.warn(message, 'Workers'),
    error: (message: string) => appLogger.error(message, 'Workers'),
  };
  const { workers } = config.server;
  const env: NodeJS.ProcessEnv = {};
  if (!config.security.visitorTokenSecret) {
    env.VISITOR_TOKEN_SECRET = randomBytes(32).toString('base64url');
    logger.warn(
      'VISITOR_TOKEN_SECRET is not set: the workers share a random secret, so visitor tokens will not survive a restart or work across tasks.',
    );
  }
  const listened = new WeakSet<Worker>();
  let stopping = false;
  let failed = false;

  let starting = true;
  const start = (): Worker => {
    const worker = cluster.fork(env);
    worker.once('listening', () => {
      listened.add(worker);
      if (starting && running().filter((each) => listened.has(each)).length === workers) {
        starting = false;
        logger.log(`${workers} workers listening on port ${config.server.port}`);
      }
    });
    return worker;
  };
  const running = () =>
    Object.values(cluster.workers ?? {}).filter((worker) => worker !== undefined);
  const stopAll = (signal: NodeJS.Signals) => {
    for (const worker of running()) worker.process.kill(signal);
  };

  start().once('listening', () => {
    if (stopping) return;
    for (let index = 1; index < workers; index += 1) start();
  });

  cluster.on('exit', (worker, code, signal) => {
    if (code !== 0) failed = true;
    if (stopping) {
      if (running().length === 0) process.exit(failed ? 1 : 0);
      return;
    }
    const how = signal ?? `code ${code}`;
    if (!listened.has(worker)) {
      logger.error(`worker ${worker.process.pid} failed to start (${how}): stopping`);
      stopping = true;
      if (running().length === 0) process.exit(1);
      stopAll('SIGTERM');
      return;
    }
    logger.error(`worker ${worker.process.pid} exited (${how}): starting another`);
    start();
  });

  const shutDown = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second signal means "now", for every worker.
      stopAll('SIGTERM');
      return;
    }
    stopping = true;
    logger.log(`${signal} received: draining ${running().length} workers`);
    stopAll('SIGTERM');
    setTimeout(() => {
      logger.error('workers still running after the drain deadline: killing them');
      stopAll('SIGKILL');
    }, config.drainTimeoutMs + EXIT_GRACE_MS).unref();
  };
  process.on('SIGTERM', shutDown);
  process.on('SIGINT', shutDown);
}
