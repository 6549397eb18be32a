import { Module } from '@nestjs/common';
import { ConfigService } from '../config/config.service';
import { EmbeddingProvider } from '../embeddings/embedding-provider';
import { EmbeddingsModule } from '../embeddings/embeddings.module';
import { VectorStore } from '../vector-store/vector-store';
import { VectorStoreModule } from '../vector-store/vector-store.module';
import { Analyzer } from '../text/analyzer';
import { HybridRetriever, Retriever } from './retriever';

@Module({
  imports: [VectorStoreModule, EmbeddingsModule],
  providers: [
    {
      provide: Analyzer,
      useFactory: ({ config }: ConfigService) => new Analyzer(config.retrieval.language),
      inject: [ConfigService],
    },
    {
      provide: Retriever,
      useFactory: (
        { config }: ConfigService,
        store: VectorStore,
        analyzer: Analyzer,
        embeddings: EmbeddingProvider,
      ) => new HybridRetriever(store, analyzer, embeddings, config.retrieval),
      inject: [ConfigService, VectorStore, Analyzer, EmbeddingProvider],
    },
  ],
  exports: [Retriever, Analyzer],
})
export class RetrievalModule {}
