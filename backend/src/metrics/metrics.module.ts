import { Global, Module } from '@nestjs/common';
import { ConfigService } from '../config/config.service';
import { Metrics } from './metrics';

/** One `Metrics` for the whole application, so the connection count is the task's. */
@Global()
@Module({
  providers: [
    {
      provide: Metrics,
      useFactory: ({ config }: ConfigService) =>
        new Metrics({
          ...config.metrics,
          provider: config.llm.provider,
          model: config.llm.model,
        }),
      inject: [ConfigService],
    },
  ],
  exports: [Metrics],
})
export class MetricsModule {}
