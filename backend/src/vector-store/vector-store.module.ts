import { Module } from '@nestjs/common';
import { type AppConfig } from '../config/app-config';
import { ConfigService } from '../config/config.service';
import { type VectorStoreName } from '@lorechat/contracts';
import { EmbeddingProvider } from '../embeddings/embedding-provider';
import { EmbeddingsModule } from '../embeddings/embeddings.module';
import { EmbeddedStore } from './embedded.store';
import type * as Qdrant from './qdrant.store';
import { VectorStore } from './vector-store';

/** One line per store: VECTOR_STORE picks the line, and only its module is loaded. */
const STORES: Record<VectorStoreName, (config: AppConfig) => VectorStore> = {
  embedded: (config) => new EmbeddedStore(config.dataDir, config.retrieval.bm25),
  qdrant: (config) => {
    if (!config.vectorStore.qdrant) throw new Error('VECTOR_STORE=qdrant needs QDRANT_URL');
    // Required when picked: Qdrant's client is not loaded by a server that does not use it.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { QdrantStore } = require('./qdrant.store') as typeof Qdrant;
    return new QdrantStore(config.vectorStore.qdrant, config.retrieval.bm25);
  },
};

/** Opens the configured store and checks it against the embedding size before anything uses it. */
export async function openVectorStore(config: AppConfig, dimensions: number): Promise<VectorStore> {
  const store = STORES[config.vectorStore.kind](config);
  await store.init(dimensions);
  return store;
}

@Module({
  imports: [EmbeddingsModule],
  providers: [
    {
      provide: VectorStore,
      useFactory: ({ config }: ConfigService, embeddings: EmbeddingProvider) =>
        openVectorStore(config, embeddings.dimensions),
      inject: [ConfigService, EmbeddingProvider],
    },
  ],
  exports: [VectorStore],
})
export class VectorStoreModule {}
