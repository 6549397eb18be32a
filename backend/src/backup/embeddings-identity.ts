import { type AppConfig } from '../config/app-config';
import { createUncachedEmbeddingProvider } from '../embeddings/embeddings.module';
import { type BackupManifest } from './backup-manifest';

/**
 * The configured embeddings as a backup records them: the provider's id (provider, model, size)
 * and the vector size. An index only answers well with the embeddings it was built with.
 */
export function embeddingsOf(config: AppConfig): BackupManifest['embeddings'] {
  const provider = createUncachedEmbeddingProvider(config);
  return { id: provider.id, dimensions: provider.dimensions };
}
