import { Module } from '@nestjs/common';
import { EmbeddingProvider } from '../embeddings/embedding-provider';
import { EmbeddingsModule } from '../embeddings/embeddings.module';
import { Analyzer } from '../text/analyzer';
import { RetrievalModule } from '../retrieval/retrieval.module';
import { VectorStore } from '../vector-store/vector-store';
import { VectorStoreModule } from '../vector-store/vector-store.module';
import { DocsSeeder } from './docs-seeder';
import { Indexer } from './indexer';

@Module({
  imports: [VectorStoreModule, RetrievalModule, EmbeddingsModule],
  providers: [
    {
      provide: Indexer,
      useFactory: (store: VectorStore, analyzer: Analyzer, embeddings: EmbeddingProvider) =>
        new Indexer(store, analyzer, embeddings),
      inject: [VectorStore, Analyzer, EmbeddingProvider],
    },
    DocsSeeder,
  ],
})
export class IngestModule {}
