import { Module } from '@nestjs/common';
import { ConfigService } from '../config/config.service';
import { EmbeddingProvider } from '../embeddings/embedding-provider';
import { EmbeddingsModule } from '../embeddings/embeddings.module';
import { VectorStore } from '../vector-store/vector-store';
import { VectorStoreModule } from '../vector-store/vector-store.module';
import { Analyzer } from '../text/analyzer';
import { HybridRetriever, Retriever } from './retriever';
import { Metrics } from '../metrics/metrics';
import { type RerankConfig } from '../config/app-config';
import type * as Bedrock from './rerank/bedrock.reranker';
import { CohereReranker } from './rerank/cohere.reranker';
import { type Reranker } from './rerank/reranker';
import { RerankingRetriever } from './rerank/reranking-retriever';

/** One line per rerank provider: RERANK_PROVIDER picks one, `none` none. */
const RERANKERS: Record<RerankConfig['provider'], (config: RerankConfig) => Reranker | undefined> =
  {
    none: () => undefined,
    // Loaded only when picked: the AWS SDK's client costs start-up time (see the LLM descriptors).
    bedrock: ({ region, model, baseUrl, timeoutMs }) =>
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      new (require('./rerank/bedrock.reranker') as typeof Bedrock).BedrockReranker({
        region: region ?? '',
        model,
        baseUrl,
        timeoutMs,
      }),
    cohere: ({ apiKey, model, baseUrl }) =>
      new CohereReranker({
        apiKey: apiKey ?? '',
        model,
        baseUrl: baseUrl ?? 'https://api.cohere.com',
      }),
  };

export function createReranker(config: RerankConfig): Reranker | undefined {
  return RERANKERS[config.provider](config);
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
        const reranker = createReranker(config.rerank);
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
