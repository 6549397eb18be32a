import { Module } from '@nestjs/common';
import { LlmModule } from '../llm/llm.module';
import { VectorStoreModule } from '../vector-store/vector-store.module';
import { Drain } from './drain';
import { HealthController } from './health.controller';

@Module({
  imports: [VectorStoreModule, LlmModule],
  controllers: [HealthController],
  providers: [Drain],
  exports: [Drain],
})
export class HealthModule {}
