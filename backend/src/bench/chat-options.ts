/** The command line of `npm run bench:chat` and the targets its figures are judged by. */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';

/** Issue targets: one answer streams 200 tokens at 50 tokens/s. */
export const TARGETS = {
  conversations: 1000,
  tokens: 200,
  rate: 50,
  idle: 10_000,
  tokenDelayP99Ms: 25,
  ttftAddedP50Ms: 15,
  idleKbPerConnection: 40,
  /** LoreChat's capacity against the bare relay's, on one core. */
  capacityVsRelay: 0.8,
};

export interface BenchOptions {
  /** Fixed load: streaming conversations of the one run. Capacity search: the first level. */
  conversations: number;
  tokens: number;
  rate: number;
  idle: number;
  firstTokenMs: number;
  /** Unset: half an answer's length. */
  askWindowMs?: number;
  clientProcesses: number;
  timeoutMs: number;
  backendEnv: Record<string, string>;
  cpuProfDir?: string;
  /** Search the most conversations each server holds within the targets, not one fixed load. */
  capacity: boolean;
  /** Also search the bare relay's capacity, side by side. */
  relay: boolean;
  /** LoreChat's WORKERS settings to compare, each its own server (capacity search). */
  workers: string[];
  /** The server under test on CPU 0, the provider and visitors on CPU 1. */
  pin: boolean;
  /** Start a redis-server for LoreChat (REDIS_URL), as the AWS stacks run it. */
  redis: boolean;
  /** Runs of a level that must all fail before it counts as failed (the machine is shared). */
  tries: number;
  /** The search stops once the bounds are this close, as a fraction of the lower one. */
  resolution: number;
}

function wholeNumber(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`--${name} must be a whole number of at least ${min}, not "${text}"`);
  }
  return value;
}

export function parseOptions(args: string[]): BenchOptions {
  const { values } = parseArgs({
    args,
    options: {
      conversations: { type: 'string' },
      tokens: { type: 'string', default: String(TARGETS.tokens) },
      rate: { type: 'string', default: String(TARGETS.rate) },
      idle: { type: 'string' },
      'first-token-ms': { type: 'string', default: '100' },
      'ask-window-ms': { type: 'string' },
      'client-processes': { type: 'string', default: '4' },
      'timeout-s': { type: 'string', default: '120' },
      'backend-env': { type: 'string', multiple: true, default: [] },
      'cpu-prof': { type: 'string' },
      capacity: { type: 'boolean', default: false },
      relay: { type: 'boolean', default: false },
      workers: { type: 'string' },
      pin: { type: 'boolean', default: false },
      redis: { type: 'boolean', default: false },
      tries: { type: 'string', default: '2' },
      resolution: { type: 'string', default: '0.05' },
    },
  });
  const workers = (values.workers ?? '1').split(',').map((setting) => setting.trim());
  for (const setting of workers) {
    if (setting !== 'auto') wholeNumber('workers', setting, 1);
  }
  const capacity = values.capacity || values.relay || workers.length > 1;
  const hasRedis =
    values.redis || values['backend-env'].some((setting) => setting.startsWith('REDIS_URL='));
  if (workers.some((setting) => setting !== '1') && !hasRedis) {
    throw new Error(
      'more than one worker needs Redis: add --redis, or --backend-env REDIS_URL=redis://…',
    );
  }
  const resolution = Number(values.resolution);
  if (!(resolution > 0 && resolution < 1)) {
    throw new Error(`--resolution must be a fraction between 0 and 1, not "${values.resolution}"`);
  }
  if (values.pin && availableParallelism() < 2) {
    throw new Error('--pin needs at least two CPUs: one for the server, one for the load');
  }
  return {
    conversations: wholeNumber(
      'conversations',
      values.conversations ?? String(capacity ? 25 : TARGETS.conversations),
      capacity ? 1 : 0,
    ),
    tokens: wholeNumber('tokens', values.tokens, 1),
    rate: wholeNumber('rate', values.rate, 1),
    // Idle memory is measured by the fixed-load run; a capacity search skips it unless asked.
    idle: wholeNumber('idle', values.idle ?? String(capacity ? 0 : TARGETS.idle), 0),
    firstTokenMs: wholeNumber('first-token-ms', values['first-token-ms'], 0),
    askWindowMs:
      values['ask-window-ms'] === undefined
        ? undefined
        : wholeNumber('ask-window-ms', values['ask-window-ms'], 0),
    clientProcesses: wholeNumber('client-processes', values['client-processes'], 1),
    timeoutMs: wholeNumber('timeout-s', values['timeout-s'], 1) * 1000,
    backendEnv: Object.fromEntries(
      values['backend-env'].map((setting) => {
        const equals = setting.indexOf('=');
        if (equals < 1) throw new Error(`--backend-env takes NAME=VALUE, not "${setting}"`);
        return [setting.slice(0, equals), setting.slice(equals + 1)];
      }),
    ),
    cpuProfDir: values['cpu-prof'],
    capacity,
    relay: values.relay,
    workers,
    pin: values.pin,
    redis: values.redis,
    tries: wholeNumber('tries', values.tries, 1),
    resolution,
  };
}
