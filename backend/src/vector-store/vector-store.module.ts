import { Injectable, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { type AppConfig } from '../config/app-config';
import { ConfigService } from '../config/config.service';
import { READINESS_PATH, type VectorStoreName } from '@lorechat/contracts';
import { describe, isUnreachable, keepTrying } from '../common/degraded-start';
import { EmbeddingProvider } from '../embeddings/embedding-provider';
import { EmbeddingsModule } from '../embeddings/embeddings.module';
import { EmbeddedStore } from './embedded.store';
import { LateOpenedStore } from './late-opened.store';
import type * as Qdrant from './qdrant.store';
import { VectorStore } from './vector-store';

/** Between attempts to reach a remote store that was unreachable when the server started. */
export const STORE_RETRY_MS = 5000;

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

/**
 * Opens the configured store and checks it against the embedding size before anything uses it.
 * The CLI uses this: a crawl with no store to write to should fail at once.
 */
export async function openVectorStore(config: AppConfig, dimensions: number): Promise<VectorStore> {
  const store = STORES[config.vectorStore.kind](config);
  await store.init(dimensions);
  return store;
}

/** Ends the attempts to reach an unreachable store when the server shuts down. */
@Injectable()
export class StoreStartup implements OnApplicationShutdown {
  private readonly stopped = new AbortController();

  get signal(): AbortSignal {
    return this.stopped.signal;
  }

  onApplicationShutdown(): void {
    this.stopped.abort();
  }
}

/**
 * The server's store. Qdrant being unreachable at start does not stop the server: it serves
 * degraded (health says so, answers fail over to an error message) and opens the store once
 * Qdrant answers. A store that answers but does not fit (another embedding size) still stops it.
 */
export async function openServerVectorStore(
  config: AppConfig,
  dimensions: number,
  signal: AbortSignal,
): Promise<VectorStore> {
  const store = STORES[config.vectorStore.kind](config);
  const qdrant = config.vectorStore.qdrant;
  try {
    await store.init(dimensions);
    return store;
  } catch (error) {
    if (config.vectorStore.kind !== 'qdrant' || !qdrant || !isUnreachable(error)) throw error;
    const what = `Qdrant at ${qdrant.urls.map((url) => new URL(url).origin).join(', ')}`;
    const logger = new Logger('VectorStore');
    // The error names Qdrant, its address and the reason.
    logger.warn(
      `${describe(error)}: starting degraded, retrying every ${STORE_RETRY_MS / 1000} s; ` +
        `${READINESS_PATH} reports it meanwhile`,
    );
    const late = new LateOpenedStore(store, dimensions, error as Error);
    keepTrying(() => late.init(), { what, retryMs: STORE_RETRY_MS, logger, signal });
    return late;
  }
}

@Module({
  imports: [EmbeddingsModule],
  providers: [
    StoreStartup,
    {
      provide: VectorStore,
      useFactory: (
        { config }: ConfigService,
        embeddings: EmbeddingProvider,
        startup: StoreStartup,
      ) => openServerVectorStore(config, embeddings.dimensions, startup.signal),
      inject: [ConfigService, EmbeddingProvider, StoreStartup],
    },
  ],
  exports: [VectorStore],
})
export class VectorStoreModule {}
