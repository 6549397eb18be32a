import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { type AppConfig, type EmbeddingSettings } from '../config/app-config';
import { ConfigService } from '../config/config.service';
import { type EmbeddingProviderName } from '@lorechat/contracts';
import type * as Bedrock from './bedrock.embeddings';
import { CachedEmbeddings } from './embedding-cache';
import { EmbeddingProvider } from './embedding-provider';
import type * as Local from './local.embeddings';
import { NoEmbeddings } from './none.embeddings';
import type * as OpenAi from './openai.embeddings';

/* eslint-disable @typescript-eslint/no-require-imports -- providers are required when picked,
   not at start: their SDKs took half of the server's start-up CPU (npm run bench:startup). */
/** One line per provider: EMBEDDING_PROVIDER picks the line, and only its module is loaded. */
const PROVIDERS: Record<EmbeddingProviderName, (settings: EmbeddingSettings) => EmbeddingProvider> =
  {
    none: () => new NoEmbeddings(),
    local: (settings) =>
      new (require('./local.embeddings') as typeof Local).LocalEmbeddings(settings),
    openai: (settings) =>
      new (require('./openai.embeddings') as typeof OpenAi).OpenAiEmbeddings(settings),
    bedrock: (settings) =>
      new (require('./bedrock.embeddings') as typeof Bedrock).BedrockEmbeddings(settings),
  };
/* eslint-enable @typescript-eslint/no-require-imports */

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
