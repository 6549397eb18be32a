import { isAbsolute, resolve } from 'node:path';
import {
  type EmbeddingProviderName,
  type LlmProviderName,
  type LogLevelName,
  type RerankProviderName,
  type VectorStoreName,
  type AnalyticsStoreName,
  type HandoffEmailTransportName,
} from '@lorechat/contracts';
import { EMBEDDING_DESCRIPTORS } from '../embeddings/descriptors';
import { LLM_DESCRIPTORS } from '../llm/providers/descriptors';
import { envSchema } from './env.schema';
import { RERANK_DESCRIPTORS } from '../retrieval/rerank/descriptors';
import { DEFAULT_LLM_PRICES, DEFAULT_RERANK_PRICES, type ModelPrice } from './model-prices';
import { parseSites, type SiteOrigins } from './sites';

export interface LlmSettings {
  provider: LlmProviderName;
  model: string;
  /** Overrides the provider's endpoint: an OpenAI-compatible server, a proxy, a VPC endpoint. */
  baseUrl?: string;
  apiKey?: string;
  region?: string;
  timeoutMs: number;
  maxOutputTokens: number;
  temperature: number;
}

export interface EmbeddingSettings {
  provider: EmbeddingProviderName;
  model: string;
  /** Requested vector size, for models that can shorten their output (OpenAI v3, Titan v2). */
  dimensions?: number;
  baseUrl?: string;
  apiKey?: string;
  region?: string;
  batchSize: number;
  maxRetries: number;
  timeoutMs: number;
}

export interface RetrievalSettings {
  /** Passages given to the answerer. */
  topK: number;
  /** Hits asked of each side (keyword, dense) before fusion. */
  candidates: number;
  /** Reciprocal rank fusion constant: higher flattens the advantage of the top ranks. */
  rrfK: number;
  keywordWeight: number;
  denseWeight: number;
  bm25: { k1: number; b: number };
  /** Snowball stemmer language for indexing and queries. */
  language: string;
}

export interface RerankConfig {
  provider: RerankProviderName;
  model: string;
  baseUrl?: string;
  apiKey?: string;
  region?: string;
  candidates: number;
  timeoutMs: number;
  /** USD per 1,000 billed units: RERANK_PRICE_PER_1000, else the model's list price if known. */
  pricePerThousandUnits?: number;
}

/** How the Qdrant store lays out the collections it creates (existing ones keep theirs). */
export interface QdrantReplication {
  shardNumber: number;
  /** Copies of each shard, on different nodes. */
  replicationFactor: number;
  /** Replicas that must acknowledge a write before it succeeds. */
  writeConsistencyFactor: number;
}

export interface QdrantSettings {
  /** One URL, or the nodes of one cluster in order of preference: the store fails over between them. */
  urls: string[];
  apiKey?: string;
  collection: string;
  /** How long one request may wait for one node before the store gives up on that node. */
  timeoutMs: number;
  replication: QdrantReplication;
}

export interface VectorStoreSettings {
  kind: VectorStoreName;
  qdrant?: QdrantSettings;
}

/** Per-visitor, per-IP and per-site limits; 0 turns one off. */
export interface QuotaLimits {
  visitorQuestionsPerMinute: number;
  visitorTokensPerDay: number;
  ipQuestionsPerMinute: number;
  ipTokensPerDay: number;
  siteTokensPerDay: number;
}

export interface SecuritySettings {
  /** Site key → origins its widget may run on. */
  sites: SiteOrigins;
  /** Unset outside production: each process then signs with a random secret of its own. */
  visitorTokenSecret?: string;
  visitorTokenTtlSeconds: number;
  quotas: QuotaLimits;
  /** Proxies in front of the server (CloudFront, ALB) whose X-Forwarded-For entries are trusted. */
  trustProxyHops: number;
}

export interface AnalyticsSettings {
  /** `false`: no answer or feedback is stored (`ANALYTICS_ENABLED`). */
  enabled: boolean;
  store: AnalyticsStoreName;
  /** The PostgreSQL connection string when `store` is postgres (a secret: it holds the password). */
  databaseUrl?: string;
  retentionDays: number;
  /** Keep e-mail addresses and phone numbers in stored text instead of masking them. */
  storePii: boolean;
}

export interface HandoffSettings {
  /** Where handoffs are POSTed as JSON, Slack-compatible (a secret: a Slack URL is its own key). */
  webhookUrl?: string;
  /** Set when HANDOFF_EMAIL_TO lists addresses. */
  email?: {
    to: string[];
    from: string;
    transport: HandoffEmailTransportName;
    /** With `smtp` (a secret: it may hold the password). */
    smtpUrl?: string;
    /** With `ses`. */
    region?: string;
  };
  /** Handoffs per visitor and per IP an hour, per site a day; 0 turns one off. */
  quotas: { visitorPerHour: number; ipPerHour: number; sitePerDay: number };
}

export interface AdminSettings {
  /**
   * `ADMIN_TOKEN`. Unset: outside production one is generated into the data folder; in production
   * the console and the admin API stay closed.
   */
  token?: string;
  /** When the crawl runs (`INGEST_SCHEDULE`), so the console can show the next run. */
  ingestSchedule?: string;
}

export interface AppConfig {
  server: {
    port: number;
    host: string;
    publicUrl: string;
    logLevel: LogLevelName;
    /** Visitors' questions, feedback comments and IP addresses in the logs (`LOG_CONTENT`). */
    logContent: boolean;
    /** Processes sharing the port (`WORKERS`, `auto` resolved to the available cores). */
    workers: number;
  };
  dataDir: string;
  /** Folder indexed when the index is empty, so a fresh install answers questions about LoreChat. */
  docsDir?: string;
  llm: LlmSettings;
  /** Providers tried in order when the primary fails before its first token (`LLM_FALLBACK`). */
  llmFallbacks: LlmSettings[];
  /** Per-provider circuit breaker: consecutive pre-token failures to open, cool-down before a trial. */
  llmBreaker: { failures: number; cooldownMs: number };
  /** Retries of a provider before its first token, with full-jitter exponential backoff. */
  llmRetry: { retries: number; baseMs: number };
  chat: {
    maxMessageChars: number;
    maxTurns: number;
    maxConversations: number;
    /** Live conversations one visitor may hold; starting one more forgets their oldest. */
    maxConversationsPerVisitor: number;
    conversationTtlMs: number;
    /** Finished first-turn answers reused for the same question against the same index. */
    responseCache: { enabled: boolean; maxEntries: number; ttlMs: number };
    /**
     * How long a dropped connection's session (and the tokens sent meanwhile) is kept for it to
     * resume; 0 turns Socket.IO connection-state recovery off.
     */
    connectionRecoveryMs: number;
    /** The deadline of a model's standalone rewrite of a follow-up question. */
    condenseTimeoutMs: number;
  };
  /**
   * Shared state for many tasks (`REDIS_URL`): conversations, quotas, the response cache and the
   * Socket.IO adapter. Unset: everything lives in this process.
   */
  redis?: { url: string; keyPrefix: string };
  retrieval: RetrievalSettings;
  /** Reordering the fused candidates with a rerank model: off (`none`) by default. */
  rerank: RerankConfig;
  vectorStore: VectorStoreSettings;
  embeddings: EmbeddingSettings;
  security: SecuritySettings;
  /** On SIGTERM, how long answers in flight may take to finish before they are stopped. */
  drainTimeoutMs: number;
  metrics: MetricsConfig;
  /** The conversation log the owner's console reads. */
  analytics: AnalyticsSettings;
  admin: AdminSettings;
  /** Talk to a person: where visitors' requests go. No channel set: the widget offers none. */
  handoff: HandoffSettings;
  /** `NODE_ENV=production`. */
  production: boolean;
}

export interface MetricsConfig {
  /** CloudWatch embedded-metric lines on stdout; off locally so the console stays readable. */
  enabled: boolean;
  namespace: string;
  environment: string;
  /** USD per million tokens by model: the built-in table, overridden by `LLM_PRICES`. */
  prices: Record<string, ModelPrice>;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Validates the environment once and returns the typed configuration. Nothing else in the backend
 * reads `process.env`. Every problem is reported at once, each naming its variable, so a bad
 * deployment is fixed in one round.
 */
export function loadConfig(
  environment: NodeJS.ProcessEnv,
  baseDir: string = process.cwd(),
): AppConfig {
  const parsed = envSchema.safeParse(environment);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const variable = issue.path.join('.');
        const received = environment[variable];
        const shown = received === undefined || isSecret(variable) ? '' : ` (got "${received}")`;
        return `${variable} ${describe(issue)}${shown}`;
      }),
    );
  }
  const env = parsed.data;
  const rerankModel = env.RERANK_MODEL ?? RERANK_DESCRIPTORS[env.RERANK_PROVIDER].defaultModel;
  const llmKey = (provider: LlmProviderName) => {
    const variable = LLM_DESCRIPTORS[provider].apiKey?.variable;
    return variable && env[variable];
  };
  const embeddings = EMBEDDING_DESCRIPTORS[env.EMBEDDING_PROVIDER];
  const absolute = (path: string) => (isAbsolute(path) ? path : resolve(baseDir, path));
  return {
    server: {
      port: env.PORT,
      host: env.HOST,
      publicUrl: env.PUBLIC_URL ?? `http://localhost:${env.PORT}`,
      logLevel: env.LOG_LEVEL,
      logContent: env.LOG_CONTENT,
      workers: env.WORKERS,
    },
    dataDir: absolute(env.LORECHAT_DATA_DIR),
    docsDir: env.LORECHAT_DOCS_DIR === '' ? undefined : absolute(env.LORECHAT_DOCS_DIR),
    llm: {
      provider: env.LLM_PROVIDER,
      model: env.LLM_MODEL ?? LLM_DESCRIPTORS[env.LLM_PROVIDER].defaultModel,
      baseUrl: env.LLM_BASE_URL,
      apiKey: llmKey(env.LLM_PROVIDER),
      region: env.AWS_REGION,
      timeoutMs: env.LLM_TIMEOUT_MS,
      maxOutputTokens: env.LLM_MAX_OUTPUT_TOKENS,
      temperature: env.LLM_TEMPERATURE,
    },
    // A fallback shares the primary's limits but not its endpoint: LLM_BASE_URL points at one
    // provider's server. Its model is the provider's default unless LLM_FALLBACK_MODELS names one.
    llmFallbacks: env.LLM_FALLBACK.map((provider, index) => ({
      provider,
      model: env.LLM_FALLBACK_MODELS[index] ?? LLM_DESCRIPTORS[provider].defaultModel,
      apiKey: llmKey(provider),
      region: env.AWS_REGION,
      timeoutMs: env.LLM_TIMEOUT_MS,
      maxOutputTokens: env.LLM_MAX_OUTPUT_TOKENS,
      temperature: env.LLM_TEMPERATURE,
    })),
    llmBreaker: { failures: env.LLM_BREAKER_FAILURES, cooldownMs: env.LLM_BREAKER_COOLDOWN_MS },
    llmRetry: { retries: env.LLM_MAX_RETRIES, baseMs: env.LLM_RETRY_BASE_MS },
    chat: {
      maxMessageChars: env.MAX_MESSAGE_CHARS,
      maxTurns: env.CONVERSATION_MAX_TURNS,
      maxConversations: env.CONVERSATION_MAX_COUNT,
      maxConversationsPerVisitor: env.CONVERSATION_MAX_PER_VISITOR,
      conversationTtlMs: env.CONVERSATION_TTL_MINUTES * 60_000,
      responseCache: {
        enabled: env.RESPONSE_CACHE_ENABLED,
        maxEntries: env.RESPONSE_CACHE_MAX_ENTRIES,
        ttlMs: env.RESPONSE_CACHE_TTL_MINUTES * 60_000,
      },
      connectionRecoveryMs: env.CONNECTION_RECOVERY_SECONDS * 1000,
      condenseTimeoutMs: env.CONDENSE_TIMEOUT_MS,
    },
    redis: env.REDIS_URL ? { url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX } : undefined,
    retrieval: {
      topK: env.RETRIEVAL_TOP_K,
      candidates: env.RETRIEVAL_CANDIDATES,
      rrfK: env.RETRIEVAL_RRF_K,
      keywordWeight: env.RETRIEVAL_KEYWORD_WEIGHT,
      denseWeight: env.RETRIEVAL_DENSE_WEIGHT,
      bm25: { k1: env.BM25_K1, b: env.BM25_B },
      language: env.INDEX_LANGUAGE,
    },
    rerank: {
      provider: env.RERANK_PROVIDER,
      model: rerankModel,
      baseUrl: env.RERANK_BASE_URL,
      apiKey: env.COHERE_API_KEY,
      region: env.AWS_REGION,
      candidates: env.RERANK_CANDIDATES,
      timeoutMs: env.RERANK_TIMEOUT_MS,
      pricePerThousandUnits:
        env.RERANK_PRICE_PER_1000 ?? DEFAULT_RERANK_PRICES[rerankModel]?.perThousandUnits,
    },
    vectorStore: {
      kind: env.VECTOR_STORE,
      qdrant: env.QDRANT_URL
        ? {
            urls: env.QDRANT_URL,
            apiKey: env.QDRANT_API_KEY,
            collection: env.QDRANT_COLLECTION,
            timeoutMs: env.QDRANT_TIMEOUT_MS,
            replication: {
              shardNumber: env.QDRANT_SHARD_NUMBER,
              replicationFactor: env.QDRANT_REPLICATION_FACTOR,
              writeConsistencyFactor: env.QDRANT_WRITE_CONSISTENCY,
            },
          }
        : undefined,
    },
    embeddings: {
      provider: env.EMBEDDING_PROVIDER,
      model: env.EMBEDDING_MODEL ?? embeddings.defaultModel,
      dimensions: env.EMBEDDING_DIMENSIONS,
      baseUrl: env.EMBEDDING_BASE_URL,
      apiKey: embeddings.apiKey && env[embeddings.apiKey.variable],
      region: env.AWS_REGION,
      batchSize: env.EMBEDDING_BATCH_SIZE,
      maxRetries: env.LLM_MAX_RETRIES,
      timeoutMs: env.LLM_TIMEOUT_MS,
    },
    security: {
      sites: parseSites(env.SITES),
      visitorTokenSecret: env.VISITOR_TOKEN_SECRET,
      visitorTokenTtlSeconds: env.VISITOR_TOKEN_TTL_SECONDS,
      quotas: {
        visitorQuestionsPerMinute: env.QUOTA_QUESTIONS_PER_MINUTE,
        visitorTokensPerDay: env.QUOTA_TOKENS_PER_DAY,
        ipQuestionsPerMinute: env.QUOTA_IP_QUESTIONS_PER_MINUTE,
        ipTokensPerDay: env.QUOTA_IP_TOKENS_PER_DAY,
        siteTokensPerDay: env.SITE_TOKENS_PER_DAY,
      },
      trustProxyHops: env.TRUST_PROXY_HOPS,
    },
    drainTimeoutMs: env.DRAIN_TIMEOUT_MS,
    metrics: {
      enabled: env.METRICS_ENABLED,
      namespace: env.METRICS_NAMESPACE,
      environment: env.METRICS_ENVIRONMENT,
      prices: { ...DEFAULT_LLM_PRICES, ...env.LLM_PRICES },
    },
    analytics: {
      enabled: env.ANALYTICS_ENABLED,
      store: env.ANALYTICS_STORE ?? (env.DATABASE_URL ? 'postgres' : 'sqlite'),
      databaseUrl: env.DATABASE_URL,
      retentionDays: env.ANALYTICS_RETENTION_DAYS,
      storePii: env.ANALYTICS_STORE_PII,
    },
    admin: { token: env.ADMIN_TOKEN, ingestSchedule: env.INGEST_SCHEDULE },
    handoff: {
      webhookUrl: env.HANDOFF_WEBHOOK_URL,
      email:
        env.HANDOFF_EMAIL_TO?.length && env.HANDOFF_EMAIL_FROM
          ? {
              to: env.HANDOFF_EMAIL_TO,
              from: env.HANDOFF_EMAIL_FROM,
              transport: env.HANDOFF_EMAIL_TRANSPORT,
              smtpUrl: env.HANDOFF_SMTP_URL,
              region: env.AWS_REGION,
            }
          : undefined,
      quotas: {
        visitorPerHour: env.QUOTA_HANDOFFS_PER_HOUR,
        ipPerHour: env.QUOTA_IP_HANDOFFS_PER_HOUR,
        sitePerDay: env.SITE_HANDOFFS_PER_DAY,
      },
    },
    production: env.NODE_ENV === 'production',
  };
}

function isSecret(variable: string): boolean {
  // REDIS_URL carries the AUTH token as its password, DATABASE_URL the database's.
  // A Slack webhook's URL is its own credential; an SMTP URL may carry a password.
  return /KEY|SECRET|TOKEN|PASSWORD|^REDIS_URL$|^DATABASE_URL$|^HANDOFF_(WEBHOOK|SMTP)_URL$/.test(
    variable,
  );
}

function describe(issue: { code: string; message: string; values?: unknown[] }): string {
  if (issue.code === 'invalid_value' && issue.values) {
    return `must be one of: ${issue.values.map(String).join(', ')}`;
  }
  return issue.message;
}
