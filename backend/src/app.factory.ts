import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { type DestinationStream } from 'pino';
import { AppModule } from './app.module';
import { ChatIoAdapter } from './chat/chat-io.adapter';
import { type AppConfig } from './config/app-config';
import { DOCS_ROUTE } from './common/bundled-docs';
import { BodyErrorFilter } from './http/body-error.filter';
import { securityHeaders } from './http/security-headers';
import { httpLogging } from './logging/http-logging';
import { createAppLogger, createLogger } from './logging/logger';
import { docsPages } from './site/docs-page';

export interface AppOptions {
  /** Where the JSON log lines go instead of stdout (the tests read them). */
  logDestination?: DestinationStream;
}

/** Builds the application from validated configuration; `main.ts` and the e2e tests share it. */
export async function createApp(
  config: AppConfig,
  options: AppOptions = {},
): Promise<NestExpressApplication> {
  const { logLevel, logContent } = config.server;
  const logger = createLogger(logLevel, options.logDestination);
  // Given before anything is built, so even a failing start logs JSON.
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: createAppLogger(logger),
    // A module that cannot start rejects here rather than exiting the process, so main.ts can
    // say why in one line first (and a test sees the error).
    abortOnError: false,
  });
  const { maxMessageChars, connectionRecoveryMs } = config.chat;
  app.useWebSocketAdapter(
    new ChatIoAdapter(app, { maxMessageChars, connectionRecoveryMs, redis: config.redis }),
  );
  app.disable('x-powered-by');
  // Ahead of the static files, which Nest's own middleware never sees.
  app.use(httpLogging(logger, { logContent, trustProxyHops: config.security.trustProxyHops }));
  app.use(securityHeaders());
  app.useGlobalFilters(new BodyErrorFilter(app.getHttpAdapter()));
  if (config.docsDir) {
    // Cited doc pages must open, at the anchors they are cited by: Markdown as rendered pages.
    app.use(DOCS_ROUTE, docsPages(config.docsDir));
    app.useStaticAssets(config.docsDir, {
      prefix: DOCS_ROUTE,
      // A folder's address falls through to the app's 404 (with its security headers) instead of
      // serve-static's redirect page, which sends a CSP of its own without frame-ancestors.
      redirect: false,
    });
  }
  // No enableShutdownHooks(): main.ts handles SIGTERM itself, draining before it closes the app.
  return app;
}
