import { type ServerResponse } from 'node:http';
import { type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { ChatIoAdapter } from './chat/chat-io.adapter';
import { type AppConfig } from './config/app-config';
import { DOCS_ROUTE } from './ingest/docs-seeder';

const LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** Builds the application from validated configuration; `main.ts` and the e2e tests share it. */
export async function createApp(config: AppConfig): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    logger: LEVELS.slice(0, LEVELS.indexOf(config.server.logLevel as LogLevel) + 1),
  });
  app.useWebSocketAdapter(new ChatIoAdapter(app, config.chat.maxMessageChars));
  app.disable('x-powered-by');
  if (config.docsDir) {
    // Cited doc pages must open: serve the Markdown as text, which every browser displays.
    app.useStaticAssets(config.docsDir, {
      prefix: DOCS_ROUTE,
      setHeaders: (response: ServerResponse, path: string) => {
        if (/\.(md|markdown)$/i.test(path)) {
          response.setHeader('Content-Type', 'text/plain; charset=utf-8');
        }
        response.setHeader('X-Content-Type-Options', 'nosniff');
      },
    });
  }
  // No enableShutdownHooks(): main.ts handles SIGTERM itself, draining before it closes the app.
  return app;
}
