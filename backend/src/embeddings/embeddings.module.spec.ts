import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Test } from '@nestjs/testing';
import { loadConfig } from '../config/app-config';
import { ConfigModule } from '../config/config.module';
import { CachedEmbeddings } from './embedding-cache';
import { EmbeddingProvider } from './embedding-provider';
import { createEmbeddingProvider, EmbeddingsModule } from './embeddings.module';
import { NoEmbeddings } from './none.embeddings';

let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'lorechat-embeddings-module-'));
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

const config = (env: NodeJS.ProcessEnv) => loadConfig({ LORECHAT_DATA_DIR: dataDir, ...env });

describe('createEmbeddingProvider', () => {
  it('gives keyword-only retrieval no provider and no cache file', () => {
    const provider = createEmbeddingProvider(config({}));

    expect(provider).toBeInstanceOf(NoEmbeddings);
    expect(existsSync(join(dataDir, 'embeddings-cache.sqlite'))).toBe(false);
  });

  it('puts a real provider behind the cache in the data directory', () => {
    const provider = createEmbeddingProvider(
      config({ EMBEDDING_PROVIDER: 'openai', OPENAI_API_KEY: 'sk-test' }),
    );

    expect(provider).toBeInstanceOf(CachedEmbeddings);
    expect(provider.id).toBe('openai:text-embedding-3-small@1536');
    expect(existsSync(join(dataDir, 'embeddings-cache.sqlite'))).toBe(true);
    (provider as CachedEmbeddings).close();
  });
});

describe('EmbeddingsModule', () => {
  it('provides the configured EmbeddingProvider and closes its cache on shutdown', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        ConfigModule.forRoot(
          config({
            EMBEDDING_PROVIDER: 'bedrock',
            AWS_REGION: 'eu-west-1',
            EMBEDDING_DIMENSIONS: '512',
          }),
        ),
        EmbeddingsModule,
      ],
    }).compile();
    const provider = moduleRef.get(EmbeddingProvider);

    expect(provider.id).toBe('bedrock:amazon.titan-embed-text-v2:0@512');
    await moduleRef.close();
    await expect(provider.embed(['x'], 'document')).rejects.toThrow(
      'database connection is not open',
    );
  });
});
