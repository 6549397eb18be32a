import { Module } from '@nestjs/common';
import { VectorStoreModule } from '../vector-store/vector-store.module';
import { DocsSeeder } from './docs-seeder';

@Module({
  imports: [VectorStoreModule],
  providers: [DocsSeeder],
})
export class IngestModule {}
