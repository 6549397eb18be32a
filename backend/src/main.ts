import 'reflect-metadata';
import cluster from 'node:cluster';
import { Logger } from '@nestjs/common';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { AdminAuth } from './admin/admin-auth';
import { createApp } from './app.factory';
import { ConfigError, loadConfig } from './config/app-config';
import { Drain } from './health/drain';
import { runWorkers } from './workers';

const logger = new Logger('LoreChat');

async function bootstrap(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  if (config.server.workers > 1 && cluster.isPrimary) {
    runWorkers(config);
    return;
  }
  const app = await createApp(config);
  await app.listen(config.server.port, config.server.host);
  const { provider, model } = config.llm;
  const shutDown = (signal: NodeJS.Signals) => {
    logger.log(`${signal} received: shutting down gracefully`);
    // A second signal means "now": whoever sent it no longer wants to wait for the answers.
    process.once(signal, () => process.exit(1));
    drainAndExit(app, config.drainTimeoutMs).catch((error: unknown) => {
      logger.error(error);
      process.exit(1);
    });
  };
  process.once('SIGTERM', shutDown);
  if (cluster.isWorker) {
    // The primary drains the workers on a terminal's Ctrl-C, which also reaches them directly.
    process.on('SIGINT', () => undefined);
  } else {
    process.once('SIGINT', shutDown);
  }
  logger.log(
    `listening on ${config.server.publicUrl} (answers by ${provider}${provider === model ? '' : `, model ${model}`})`,
  );
  announceConsole(app.get(AdminAuth), config.server.publicUrl);
}

/** Says where the owner's console is, and where its token is when LoreChat made one. */
function announceConsole({ source }: AdminAuth, publicUrl: string): void {
  if (source.kind === 'none') {
    logger.warn("the owner's console is closed: set ADMIN_TOKEN to open it at /admin");
    return;
  }
  const where =
    source.kind === 'file'
      ? ` (sign in with the admin token ${source.created ? 'just written to' : 'in'} ${source.file})`
      : ' (sign in with ADMIN_TOKEN)';
  logger.log(`owner's console: ${publicUrl}/admin${where}`);
}

// Once createApp has run, Nest's Logger writes through the application's JSON logger.
bootstrap().catch((error: unknown) => {
  logger.error(error);
  process.exit(1);
});

/**
 * SIGTERM comes from ECS before a Spot interruption or a deploy replaces the task: stop taking
 * visitors, let the answers in flight finish (up to DRAIN_TIMEOUT_MS), close, and exit 0 so the
 * stop is not reported as a crash.
 */
async function drainAndExit(app: NestExpressApplication, timeoutMs: number): Promise<void> {
  await app.get(Drain).drain(timeoutMs);
  await app.close();
  logger.log('drained: exiting');
  process.exit(0);
}
