import { Module } from '@nestjs/common';
import { ConfigService } from '../config/config.service';
import { EmbeddingProvider } from '../embeddings/embedding-provider';
import { EmbeddingsModule } from '../embeddings/embeddings.module';
import { VectorStore } from '../vector-store/vector-store';
import { VectorStoreModule } from '../vector-store/vector-store.module';
import { Analyzer } from '../text/analyzer';
import { HybridRetriever, Retriever } from './retriever';
import { Metrics } from '../metrics/metrics';
import { type AppConfig } from '../config/app-config';
import { RERANK_DESCRIPTORS } from './rerank/descriptors';
import { type Reranker } from './rerank/reranker';
import { RerankingRetriever } from './rerank/reranking-retriever';

/** The reranker RERANK_PROVIDER picks, built by its descriptor; none for `none`. */
export function createReranker(config: AppConfig): Reranker | undefined {
  return RERANK_DESCRIPTORS[config.rerank.provider].create(config.rerank, config);
}

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
        metrics: Metrics,
      ) => {
        const hybrid = new HybridRetriever(store, analyzer, embeddings, config.retrieval);
        const reranker = createReranker(config);
        if (!reranker) return hybrid;
        return new RerankingRetriever(hybrid, reranker, config.rerank, (report) =>
          metrics.reranked(report),
        );
      },
      inject: [ConfigService, VectorStore, Analyzer, EmbeddingProvider, Metrics],
    },
  ],
  exports: [Retriever, Analyzer],
})
export class RetrievalModule {}
