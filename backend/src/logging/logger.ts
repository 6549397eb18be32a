import cluster from 'node:cluster';
import { Logger, PinoLogger } from 'nestjs-pino';
import {
  type DestinationStream,
  type Level,
  type LoggerOptions,
  pino,
  stdTimeFunctions,
} from 'pino';
import { type LogLevelName } from '@lorechat/contracts';
import { currentLogContext } from './log-context';

/** LOG_LEVEL keeps Nest's level names; pino calls `log` info and `verbose` trace. */
const PINO_LEVELS: Record<LogLevelName, Level> = {
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};

function loggerOptions(level: LogLevelName): LoggerOptions {
  return {
    level: PINO_LEVELS[level],
    timestamp: stdTimeFunctions.isoTime,
    // In capitals, as Nest wrote it: the service's error-log metric filter matches ERROR and FATAL.
    formatters: { level: (label) => ({ level: label.toUpperCase() }) },
    // No pid or hostname: a Fargate task's hostname is its IP, and its processes are told apart
    // by their worker number when WORKERS is above 1.
    base: cluster.isWorker ? { worker: cluster.worker?.id } : undefined,
  };
}

/**
 * The application's root logger: one JSON line per entry. `process.stdout` rather than pino's
 * asynchronous default: on Linux its writes are synchronous, so no line is lost to `process.exit`
 * and none interleaves with the metric lines written there.
 */
export function createLogger(
  level: LogLevelName,
  destination: DestinationStream = process.stdout,
): pino.Logger {
  return pino(loggerOptions(level), destination);
}

/**
 * nestjs-pino's PinoLogger logs outside a request with one logger per process, the first one it
 * saw, kept after that app closes (tests start many apps). This one logs with its own app's root
 * logger, plus the bindings of the current log context.
 */
class ContextPinoLogger extends PinoLogger {
  constructor(private readonly root: pino.Logger) {
    super({ pinoHttp: { logger: root } });
  }

  override get logger(): pino.Logger {
    const bindings = currentLogContext();
    return bindings ? this.root.child(bindings) : this.root;
  }
}

/**
 * The Nest logger of the application: every `new Logger(context)` call becomes a JSON line with
 * its `context`, and the request or answer it belongs to.
 */
export function createAppLogger(root: pino.Logger): Logger {
  return new Logger(new ContextPinoLogger(root), {});
}
