import { join } from 'node:path';
import { Module } from '@nestjs/common';
import { type AppConfig } from '../config/app-config';
import { ConfigService } from '../config/config.service';
import { EMBEDDING_DESCRIPTORS } from './descriptors';
import { CachedEmbeddings } from './embedding-cache';
import { EmbeddingProvider } from './embedding-provider';

/**
 * The configured provider alone, with no cache file: to read its id and size. Its descriptor
 * builds it, loading its module (and SDK) only now.
 */
export function createUncachedEmbeddingProvider(config: AppConfig): EmbeddingProvider {
  return EMBEDDING_DESCRIPTORS[config.embeddings.provider].create(config.embeddings, config);
}

/**
 * The configured provider behind the persistent embedding cache (`none` has nothing to cache).
 * For callers outside Nest, such as the benchmark and the CLI.
 */
export function createEmbeddingProvider(config: AppConfig): EmbeddingProvider {
  const provider = createUncachedEmbeddingProvider(config);
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
