import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { type AppConfig, type EmbeddingSettings } from '../config/app-config';
import { ConfigService } from '../config/config.service';
import { type EmbeddingProviderName } from '@lorechat/contracts';
import { BedrockEmbeddings } from './bedrock.embeddings';
import { CachedEmbeddings } from './embedding-cache';
import { EmbeddingProvider } from './embedding-provider';
import { LocalEmbeddings } from './local.embeddings';
import { NoEmbeddings } from './none.embeddings';
import { OpenAiEmbeddings } from './openai.embeddings';

/** One line per provider: EMBEDDING_PROVIDER picks the line. */
const PROVIDERS: Record<EmbeddingProviderName, (settings: EmbeddingSettings) => EmbeddingProvider> =
  {
    none: () => new NoEmbeddings(),
    local: (settings) => new LocalEmbeddings(settings),
    openai: (settings) => new OpenAiEmbeddings(settings),
    bedrock: (settings) => new BedrockEmbeddings(settings),
  };

/**
 * The configured provider behind the persistent embedding cache (`none` has nothing to cache).
 * For callers outside Nest, such as the benchmark and the CLI.
 */
export function createEmbeddingProvider(config: AppConfig): EmbeddingProvider {
  const provider = PROVIDERS[config.embeddings.provider](config.embeddings);
  if (provider.dimensions === 0) return provider;
  return new CachedEmbeddings(provider, join(config.dataDir, 'embeddings-cache.sqlite'));
}

@Module({
  providers: [
    {
      provide: EmbeddingProvider,
      useFactory: ({ config }: ConfigService) => createEmbeddingProvider(config),
      inject: [ConfigService],
    },
  ],
  exports: [EmbeddingProvider],
})
export class EmbeddingsModule {}
