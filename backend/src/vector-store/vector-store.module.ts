import { Module } from '@nestjs/common';
import { ConfigService } from '../config/config.service';
import { EmbeddedStore } from './embedded.store';
import { VectorStore } from './vector-store';

@Module({
  providers: [
    {
      provide: VectorStore,
      useFactory: ({ config }: ConfigService) => new EmbeddedStore(config.dataDir),
      inject: [ConfigService],
    },
  ],
  exports: [VectorStore],
})
export class VectorStoreModule {}
