import { type AppConfig } from './config/app-config';

interface SystemError {
  code?: string;
  syscall?: string;
  address?: string;
  port?: number;
  message?: string;
  cause?: unknown;
  errors?: unknown[];
}

/** The error and what it wraps (`cause`, an AggregateError's `errors`), outermost first. */
function chain(error: unknown): SystemError[] {
  const found: SystemError[] = [];
  const queue = [error];
  while (queue.length > 0 && found.length < 20) {
    const next = queue.shift();
    if (typeof next !== 'object' || next === null) continue;
    const current = next as SystemError;
    found.push(current);
    queue.push(current.cause, ...(Array.isArray(current.errors) ? current.errors : []));
  }
  return found;
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);

/** host:port of a URL, as a connection error names it; undefined for a URL that is not one. */
function endpoint(url: string | undefined): { host: string; port: string } | undefined {
  if (!url) return undefined;
  try {
    const parsed = new URL(url);
    const defaults: Record<string, string> = {
      'http:': '80',
      'https:': '443',
      'redis:': '6379',
      'rediss:': '6379',
      'postgres:': '5432',
      'postgresql:': '5432',
    };
    return {
      host: parsed.hostname.replace(/^\[|\]$/g, ''),
      port: parsed.port || (defaults[parsed.protocol] ?? ''),
    };
  } catch {
    return undefined;
  }
}

/** Which configured server an unreachable address is, with how to fix it. */
function unreachableServer(config: AppConfig, failure: SystemError): string {
  const reason = failure.code ?? 'unreachable';
  const at = failure.address ? `${failure.address}${failure.port ? `:${failure.port}` : ''}` : '';
  const qdrantNodes =
    config.vectorStore.kind === 'qdrant' ? (config.vectorStore.qdrant?.urls ?? []) : [];
  const servers = [
    ...qdrantNodes.map((node) => ({
      url: node,
      line: (url: string) =>
        `Qdrant at ${url} cannot be reached (${reason}): start it, or unset VECTOR_STORE to use the embedded store.`,
    })),
    {
      url: config.redis?.url,
      line: () => `Redis (REDIS_URL) cannot be reached (${reason}): start it, or unset REDIS_URL.`,
    },
    {
      url: config.analytics.databaseUrl,
      line: () =>
        `PostgreSQL (DATABASE_URL) cannot be reached (${reason}): start it, or unset DATABASE_URL to log to SQLite.`,
    },
  ];
  for (const server of servers) {
    const target = endpoint(server.url);
    if (!server.url || !target) continue;
    // By the failed address when the error has one, else by the server named in its message.
    const named = failure.message?.includes(`${target.host}:${target.port}`) ?? false;
    const sameHost = failure.address ? failure.address === target.host : named;
    const samePort = !failure.port || String(failure.port) === target.port;
    // Secrets stay out: only Qdrant's URL, which holds none (its key is a header), is printed.
    if (sameHost && samePort) return server.line(server.url.replace(/\/\/[^@/]*@/, '//'));
  }
  return `A server LoreChat needs cannot be reached${at ? ` at ${at}` : ''} (${reason}).`;
}

/**
 * The one line `npm start` prints before the stack trace when the server cannot start for a
 * reason the newcomer can fix: the port is taken, a server it needs is down, a package is missing.
 * Undefined for anything else (the stack trace says more than a guess would).
 */
export function startupErrorLine(error: unknown, config: AppConfig): string | undefined {
  const errors = chain(error);
  const { port, host } = config.server;
  if (errors.some((each) => each.code === 'EADDRINUSE')) {
    return `Port ${port} on ${host} is already in use (another LoreChat, or another server): stop it, or start with PORT=${port + 1} npm start.`;
  }
  if (errors.some((each) => each.code === 'EACCES' && each.syscall === 'listen')) {
    return `Port ${port} needs administrator rights: use a port above 1023, such as PORT=3000.`;
  }
  const missing = errors.find(
    (each) => each.code === 'MODULE_NOT_FOUND' || each.code === 'ERR_MODULE_NOT_FOUND',
  );
  if (missing) {
    const module = /Cannot find (?:module|package) '([^']+)'/.exec(missing.message ?? '')?.[1];
    return `A package is missing${module ? ` (${module})` : ''}: run npm install at the repository root.`;
  }
  const unreachable = errors.find((each) => UNREACHABLE.has(each.code ?? ''));
  if (unreachable) return unreachableServer(config, unreachable);
  // A store that wrapped the connection error names its code and its server in the message.
  for (const each of errors) {
    const code = /\b(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH)\b/.exec(
      each.message ?? '',
    )?.[1];
    if (code) return unreachableServer(config, { code, message: each.message });
  }
  return undefined;
}
