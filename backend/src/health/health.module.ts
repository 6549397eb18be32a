import { Module } from '@nestjs/common';
import { LlmModule } from '../llm/llm.module';
import { VectorStoreModule } from '../vector-store/vector-store.module';
import { Drain } from './drain';
import { HealthController } from './health.controller';
import { Readiness } from './readiness';

@Module({
  imports: [VectorStoreModule, LlmModule],
  controllers: [HealthController],
  providers: [Drain, Readiness],
  exports: [Drain],
})
export class HealthModule {}
