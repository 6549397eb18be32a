import { availableParallelism } from 'node:os';
import { ConfigError, loadConfig } from './app-config';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env, '/srv/app');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('loadConfig', () => {
  it('runs on embedded defaults with an empty environment', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config.server.port).toBe(3000);
    expect(config.server.publicUrl).toBe('http://localhost:3000');
    expect(config.dataDir).toBe('/srv/app/.lorechat');
    expect(config.docsDir).toBe('/srv/app/docs');
    expect(config.llm).toMatchObject({ provider: 'extractive', timeoutMs: 30000 });
    expect(config.chat.maxMessageChars).toBe(2000);
  });

  it("leaves reranking off by default, and needs the chosen rerank provider's key or region", () => {
    expect(loadConfig({}, '/srv/app').rerank).toMatchObject({ provider: 'none' });
    expect(problemsOf({ RERANK_PROVIDER: 'cohere' })).toEqual([
      expect.stringMatching(/^COHERE_API_KEY is required when RERANK_PROVIDER=cohere/),
    ]);
    expect(problemsOf({ RERANK_PROVIDER: 'bedrock' })).toEqual([
      expect.stringMatching(/^AWS_REGION is required when RERANK_PROVIDER=bedrock/),
    ]);
    const bedrock = loadConfig({ RERANK_PROVIDER: 'bedrock', AWS_REGION: 'us-east-1' }, '/srv/app');
    expect(bedrock.rerank).toMatchObject({
      model: 'amazon.rerank-v1:0',
      candidates: 20,
      pricePerThousandUnits: 1,
    });
    const unpriced = loadConfig(
      { RERANK_PROVIDER: 'cohere', COHERE_API_KEY: 'k', RERANK_MODEL: 'rerank-new' },
      '/srv/app',
    );
    expect(unpriced.rerank.pricePerThousandUnits).toBeUndefined();
  });

  it('runs one process unless WORKERS asks for more, and more only with Redis to share', () => {
    expect(loadConfig({}, '/srv/app').server.workers).toBe(1);
    const redis = { REDIS_URL: 'redis://127.0.0.1:6379' };
    expect(loadConfig({ ...redis, WORKERS: '3' }, '/srv/app').server.workers).toBe(3);
    expect(loadConfig({ ...redis, WORKERS: 'auto' }, '/srv/app').server.workers).toBe(
      availableParallelism(),
    );
    expect(problemsOf({ WORKERS: '2' })).toEqual([
      expect.stringMatching(/^WORKERS is 2, and more than 1 worker needs REDIS_URL/),
    ]);
    for (const bad of ['0', '1.5', 'all', '257']) {
      expect(problemsOf({ ...redis, WORKERS: bad })).toEqual([
        expect.stringMatching(/^WORKERS must be auto or a whole number from 1 to 256/),
      ]);
    }
  });

  it('names each bad variable and what is allowed, all at once', () => {
    const problems = problemsOf({ LLM_PROVIDER: 'gpt', PORT: 'abc', LLM_TIMEOUT_MS: '0' });
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^LLM_PROVIDER must be one of: extractive, openai, anthropic, bedrock/,
        ),
        expect.stringMatching(/^PORT must be a whole number/),
        expect.stringMatching(/^LLM_TIMEOUT_MS must be at least 1/),
      ]),
    );
    expect(problems).toHaveLength(3);
  });

  it('reads one Qdrant URL or the nodes of a cluster, and the layout of new collections', () => {
    expect(
      loadConfig({ VECTOR_STORE: 'qdrant', QDRANT_URL: 'http://qdrant:6333/' }).vectorStore.qdrant,
    ).toEqual({
      urls: ['http://qdrant:6333'],
      apiKey: undefined,
      collection: 'lorechat',
      timeoutMs: 10_000,
      replication: { shardNumber: 1, replicationFactor: 1, writeConsistencyFactor: 1 },
    });
    const cluster = loadConfig({
      VECTOR_STORE: 'qdrant',
      QDRANT_URL: 'http://10.0.1.5:6333, http://10.0.2.5:6333,http://10.0.3.5:6333',
      QDRANT_REPLICATION_FACTOR: '2',
      QDRANT_WRITE_CONSISTENCY: '1',
      QDRANT_TIMEOUT_MS: '2000',
    }).vectorStore.qdrant;
    expect(cluster).toMatchObject({
      urls: ['http://10.0.1.5:6333', 'http://10.0.2.5:6333', 'http://10.0.3.5:6333'],
      timeoutMs: 2000,
      replication: { shardNumber: 1, replicationFactor: 2, writeConsistencyFactor: 1 },
    });
  });

  it('refuses a bad node URL and more write acknowledgements than replicas', () => {
    expect(
      problemsOf({ VECTOR_STORE: 'qdrant', QDRANT_URL: 'http://a:6333,qdrant-b:6333' }),
    ).toEqual([
      'QDRANT_URL must be an http(s) URL, or several separated by commas ' +
        '(got "http://a:6333,qdrant-b:6333")',
    ]);
    expect(
      problemsOf({
        VECTOR_STORE: 'qdrant',
        QDRANT_URL: 'http://a:6333',
        QDRANT_REPLICATION_FACTOR: '2',
        QDRANT_WRITE_CONSISTENCY: '3',
      }),
    ).toEqual(['QDRANT_WRITE_CONSISTENCY must be at most QDRANT_REPLICATION_FACTOR (2) (got "3")']);
    expect(problemsOf({ QDRANT_SHARD_NUMBER: '0' })).toEqual([
      'QDRANT_SHARD_NUMBER must be at least 1 (got "0")',
    ]);
  });

  it('requires the key of the chosen provider but never echoes key values', () => {
    expect(problemsOf({ LLM_PROVIDER: 'anthropic' })).toEqual([
      'ANTHROPIC_API_KEY is required when LLM_PROVIDER=anthropic',
    ]);
    expect(problemsOf({ LLM_PROVIDER: 'bedrock' })).toEqual([
      'AWS_REGION is required when LLM_PROVIDER=bedrock',
    ]);
    const problems = problemsOf({ OPENAI_API_KEY: 'sk-secret', LLM_BASE_URL: 'ftp://example' });
    expect(problems.join('\n')).not.toContain('sk-secret');
    expect(problems).toEqual([expect.stringMatching(/^LLM_BASE_URL must be an http\(s\) URL/)]);
  });

  it('lets an OpenAI-compatible server run without a key and picks per-provider models', () => {
    const config = loadConfig({
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: 'http://localhost:11434/v1/',
    });
    expect(config.llm).toMatchObject({ baseUrl: 'http://localhost:11434/v1', apiKey: undefined });
    expect(config.llm.model).toBe('gpt-4o-mini');
    const bedrock = loadConfig({
      LLM_PROVIDER: 'bedrock',
      AWS_REGION: 'eu-west-1',
      LLM_MODEL: 'x.y',
    });
    expect(bedrock.llm).toMatchObject({ model: 'x.y', region: 'eu-west-1' });
  });

  it("keeps visitors' text and IPs out of the logs unless LOG_CONTENT=true", () => {
    expect(loadConfig({}).server.logContent).toBe(false);
    expect(loadConfig({ LOG_CONTENT: 'true' }).server.logContent).toBe(true);
    expect(problemsOf({ LOG_CONTENT: 'yes' })).toEqual([
      expect.stringMatching(/^LOG_CONTENT must be one of: true, false/),
    ]);
  });

  it('turns an empty LORECHAT_DOCS_DIR into no seeding', () => {
    expect(loadConfig({ LORECHAT_DOCS_DIR: '' }).docsDir).toBeUndefined();
  });

  it('reads the retry policy for answers, with a backoff base of at most 4 s', () => {
    expect(loadConfig({}).llmRetry).toEqual({ retries: 2, baseMs: 250 });
    expect(loadConfig({ LLM_MAX_RETRIES: '0', LLM_RETRY_BASE_MS: '40' }).llmRetry).toEqual({
      retries: 0,
      baseMs: 40,
    });
    expect(problemsOf({ LLM_RETRY_BASE_MS: '5000' })).toEqual([
      expect.stringMatching(/^LLM_RETRY_BASE_MS must be at most 4000/),
    ]);
  });

  describe('conversation log and console', () => {
    it('keeps the log in SQLite by default, for 90 days, with personal data masked', () => {
      expect(loadConfig({}, '/srv/app').analytics).toEqual({
        enabled: true,
        store: 'sqlite',
        databaseUrl: undefined,
        retentionDays: 90,
        storePii: false,
      });
    });

    it('uses PostgreSQL when DATABASE_URL is set, and requires it for ANALYTICS_STORE=postgres', () => {
      const url = 'postgres://lorechat:s3cret@db.internal:5432/lorechat?sslmode=require';
      expect(loadConfig({ DATABASE_URL: url }, '/srv/app').analytics).toMatchObject({
        store: 'postgres',
        databaseUrl: url,
      });
      expect(problemsOf({ ANALYTICS_STORE: 'postgres' })).toEqual([
        'DATABASE_URL is required when ANALYTICS_STORE=postgres',
      ]);
      expect(problemsOf({ ANALYTICS_STORE: 'sqlite', DATABASE_URL: url })).toEqual([
        'ANALYTICS_STORE is sqlite but DATABASE_URL is set: unset one of them (got "sqlite")',
      ]);
    });

    it('never echoes DATABASE_URL or ADMIN_TOKEN in errors', () => {
      const problems = problemsOf({
        DATABASE_URL: 'mysql://user:hunter2@db/x',
        ADMIN_TOKEN: 'short-secret',
      });
      expect(problems).toEqual([
        'DATABASE_URL must be a postgres:// or postgresql:// URL',
        'ADMIN_TOKEN must be at least 24 characters',
      ]);
      expect(problems.join('\n')).not.toMatch(/hunter2|short-secret/);
    });

    it('checks INGEST_SCHEDULE and the retention', () => {
      expect(
        loadConfig({ INGEST_SCHEDULE: 'cron(0 3 * * ? *)' }, '/srv/app').admin.ingestSchedule,
      ).toBe('cron(0 3 * * ? *)');
      expect(problemsOf({ INGEST_SCHEDULE: 'nightly', ANALYTICS_RETENTION_DAYS: '0' })).toEqual([
        'ANALYTICS_RETENTION_DAYS must be at least 1 (got "0")',
        expect.stringMatching(/^INGEST_SCHEDULE must be a cron expression/),
      ]);
    });
  });
});
