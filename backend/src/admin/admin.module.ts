import { type MiddlewareConsumer, Module, type NestModule } from '@nestjs/common';
import { AnalyticsModule } from '../analytics/analytics.module';
import { ConfigService } from '../config/config.service';
import { EmbeddingsModule } from '../embeddings/embeddings.module';
import { RetrievalModule } from '../retrieval/retrieval.module';
import { VectorStoreModule } from '../vector-store/vector-store.module';
import { AdminAuth } from './admin-auth';
import { resolveAdminToken } from './admin-token';
import { AdminController } from './admin.controller';
import { AdminGuard } from './admin.guard';
import { AdminSessionController } from './admin-session.controller';
import { ConsoleController } from './console.controller';
import { signInLimiter } from './sign-in-limiter';

/** The owner's side: the admin API under /v1/admin and the console at /admin. */
@Module({
  imports: [AnalyticsModule, RetrievalModule, EmbeddingsModule, VectorStoreModule],
  controllers: [AdminController, AdminSessionController, ConsoleController],
  providers: [
    {
      provide: AdminAuth,
      useFactory: ({ config }: ConfigService) => new AdminAuth(resolveAdminToken(config)),
      inject: [ConfigService],
    },
    AdminGuard,
  ],
  exports: [AdminAuth],
})
export class AdminModule implements NestModule {
  constructor(private readonly config: ConfigService) {}

  configure(consumer: MiddlewareConsumer): void {
    consumer
      .apply(signInLimiter(this.config.config.security.trustProxyHops))
      .forRoutes(AdminController, AdminSessionController);
  }
}
