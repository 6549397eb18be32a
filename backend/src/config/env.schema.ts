import { availableParallelism } from 'node:os';
import {
  EMBEDDING_PROVIDERS,
  type EnvironmentVariable,
  ANALYTICS_STORES,
  HANDOFF_EMAIL_TRANSPORTS,
  LLM_PROVIDERS,
  LOG_LEVELS,
  METRICS_NAMESPACE,
  RERANK_PROVIDERS,
  VECTOR_STORES,
} from '@lorechat/contracts';
import { z } from 'zod';
import { EMBEDDING_DESCRIPTORS } from '../embeddings/descriptors';
import { LLM_DESCRIPTORS } from '../llm/providers/descriptors';
import {
  emailList,
  int,
  list,
  llmPrices,
  number,
  optionalString,
  providerList,
  sender,
  url,
  urlList,
} from './env-values';
import { RERANK_DESCRIPTORS } from '../retrieval/rerank/descriptors';
import { DEFAULT_SITES, parseSites } from './sites';
import { isSchedule } from './schedule';

/**
 * Every environment variable LoreChat reads, with its default: exactly the contracts'
 * ENVIRONMENT_VARIABLES (the `satisfies` below), each documented in README.md (a test checks).
 */
export const envSchema = z
  .object({
    PORT: int(0, 65535).default(3000),
    HOST: z.string().min(1).default('0.0.0.0'),
    PUBLIC_URL: url.optional(),
    LORECHAT_DATA_DIR: z.string().min(1).default('.lorechat'),
    LORECHAT_DOCS_DIR: z.string().default('docs'),
    LOG_LEVEL: z.enum(LOG_LEVELS).default('log'),
    LOG_CONTENT: z
      .enum(['true', 'false'])
      .default('false')
      .transform((value) => value === 'true'),

    LLM_PROVIDER: z.enum(LLM_PROVIDERS).default('extractive'),
    LLM_MODEL: optionalString,
    LLM_BASE_URL: url.optional(),
    LLM_TIMEOUT_MS: int(1, 600_000).default(30_000),
    LLM_MAX_RETRIES: int(0, 10).default(2),
    LLM_RETRY_BASE_MS: int(1, 4000).default(250),
    LLM_MAX_OUTPUT_TOKENS: int(1, 64_000).default(1024),
    LLM_TEMPERATURE: number(0, 2).default(0.2),
    LLM_FALLBACK: providerList.default([]),
    LLM_FALLBACK_MODELS: list.default([]),
    LLM_BREAKER_FAILURES: int(1, 1000).default(5),
    LLM_BREAKER_COOLDOWN_MS: int(1, 3_600_000).default(30_000),
    OPENAI_API_KEY: optionalString,
    ANTHROPIC_API_KEY: optionalString,
    AWS_REGION: optionalString,

    MAX_MESSAGE_CHARS: int(1, 100_000).default(2000),
    CONDENSE_TIMEOUT_MS: int(1, 60_000).default(3000),
    CONVERSATION_MAX_TURNS: int(1, 100).default(10),
    CONVERSATION_MAX_COUNT: int(1, 10_000_000).default(10_000),
    CONVERSATION_MAX_PER_VISITOR: int(1, 1000).default(10),
    CONVERSATION_TTL_MINUTES: int(1, 43_200).default(60),
    RESPONSE_CACHE_ENABLED: z
      .enum(['true', 'false'])
      .default('true')
      .transform((value) => value === 'true'),
    RESPONSE_CACHE_TTL_MINUTES: int(1, 43_200).default(60),
    RESPONSE_CACHE_MAX_ENTRIES: int(1, 10_000_000).default(1000),
    RETRIEVAL_TOP_K: int(1, 50).default(5),
    RETRIEVAL_CANDIDATES: int(1, 1000).default(50),
    RETRIEVAL_RRF_K: int(1, 1000).default(60),
    RETRIEVAL_KEYWORD_WEIGHT: number(0, 10).default(1),
    RETRIEVAL_DENSE_WEIGHT: number(0, 10).default(1),
    BM25_K1: number(0, 10).default(1.2),
    BM25_B: number(0, 1).default(0.75),
    INDEX_LANGUAGE: z.string().min(2).default('english'),
    RERANK_PROVIDER: z.enum(RERANK_PROVIDERS).default('none'),
    RERANK_MODEL: optionalString,
    RERANK_BASE_URL: url.optional(),
    RERANK_CANDIDATES: int(2, 100).default(20),
    RERANK_TIMEOUT_MS: int(1, 60_000).default(2000),
    RERANK_PRICE_PER_1000: number(0, 1000).optional(),
    COHERE_API_KEY: optionalString,

    VECTOR_STORE: z.enum(VECTOR_STORES).default('embedded'),
    QDRANT_URL: urlList.optional(),
    QDRANT_API_KEY: optionalString,
    QDRANT_COLLECTION: z
      .string()
      .regex(/^[\w-]{1,255}$/, { error: 'must be letters, digits, _ or -' })
      .default('lorechat'),
    QDRANT_TIMEOUT_MS: int(100, 600_000).default(10_000),
    QDRANT_SHARD_NUMBER: int(1, 1000).default(1),
    QDRANT_REPLICATION_FACTOR: int(1, 100).default(1),
    QDRANT_WRITE_CONSISTENCY: int(1, 100).default(1),

    EMBEDDING_PROVIDER: z.enum(EMBEDDING_PROVIDERS).default('none'),
    EMBEDDING_MODEL: optionalString,
    EMBEDDING_DIMENSIONS: int(1, 8192).optional(),
    EMBEDDING_BASE_URL: url.optional(),
    EMBEDDING_BATCH_SIZE: int(1, 2048).default(64),

    NODE_ENV: optionalString,
    SITES: z
      .string()
      .default(DEFAULT_SITES)
      .superRefine((value, ctx) => {
        try {
          parseSites(value);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
        }
      }),
    VISITOR_TOKEN_SECRET: z
      .string()
      .min(32, { error: 'must be at least 32 characters' })
      .optional(),
    VISITOR_TOKEN_TTL_SECONDS: int(10, 86_400).default(900),
    QUOTA_QUESTIONS_PER_MINUTE: int(0, 1_000_000).default(10),
    QUOTA_TOKENS_PER_DAY: int(0, 1_000_000_000).default(100_000),
    QUOTA_IP_QUESTIONS_PER_MINUTE: int(0, 1_000_000).default(30),
    QUOTA_IP_TOKENS_PER_DAY: int(0, 1_000_000_000).default(300_000),
    SITE_TOKENS_PER_DAY: int(0, 1_000_000_000_000).default(5_000_000),
    TRUST_PROXY_HOPS: int(0, 10).default(0),
    DRAIN_TIMEOUT_MS: int(0, 3_600_000).default(25_000),
    WORKERS: z
      .string()
      .trim()
      .default('1')
      .transform((value, ctx) => {
        if (value === 'auto') return availableParallelism();
        const workers = Number(value);
        if (!Number.isInteger(workers) || workers < 1 || workers > 256) {
          ctx.addIssue({ code: 'custom', message: 'must be auto or a whole number from 1 to 256' });
          return z.NEVER;
        }
        return workers;
      }),
    REDIS_URL: z
      .string()
      .trim()
      .regex(/^rediss?:\/\/\S+$/, { error: 'must be a redis:// or rediss:// URL' })
      .optional(),
    REDIS_KEY_PREFIX: z
      .string()
      .regex(/^[\w.:-]{0,64}$/, { error: 'must be up to 64 letters, digits, _ . : or -' })
      .default('lorechat:'),
    CONNECTION_RECOVERY_SECONDS: int(0, 3600).default(30),

    METRICS_ENABLED: z
      .enum(['true', 'false'])
      .default('false')
      .transform((value) => value === 'true'),
    METRICS_NAMESPACE: z
      .string()
      .regex(/^[\w./#:-]{1,255}$/, { error: 'must be a CloudWatch namespace such as LoreChat' })
      .default(METRICS_NAMESPACE),
    METRICS_ENVIRONMENT: z
      .string()
      .regex(/^[\w-]{1,64}$/, { error: 'must be letters, digits, _ or -' })
      .default('local'),
    LLM_PRICES: llmPrices.optional(),

    ANALYTICS_ENABLED: z
      .enum(['true', 'false'])
      .default('true')
      .transform((value) => value === 'true'),
    ANALYTICS_STORE: z.enum(ANALYTICS_STORES).optional(),
    DATABASE_URL: z
      .string()
      .trim()
      .regex(/^postgres(ql)?:\/\/\S+$/, { error: 'must be a postgres:// or postgresql:// URL' })
      .optional(),
    ANALYTICS_RETENTION_DAYS: int(1, 3650).default(90),
    ANALYTICS_STORE_PII: z
      .enum(['true', 'false'])
      .default('false')
      .transform((value) => value === 'true'),
    ADMIN_TOKEN: z
      .string()
      .trim()
      .min(24, { error: 'must be at least 24 characters' })
      .max(512, { error: 'must be at most 512 characters' })
      .optional(),
    HANDOFF_WEBHOOK_URL: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      .optional(),
    HANDOFF_EMAIL_TO: emailList.optional(),
    HANDOFF_EMAIL_FROM: sender.optional(),
    HANDOFF_EMAIL_TRANSPORT: z.enum(HANDOFF_EMAIL_TRANSPORTS).default('smtp'),
    HANDOFF_SMTP_URL: z
      .string()
      .trim()
      .regex(/^smtps?:\/\/\S+$/, { error: 'must be an smtp:// or smtps:// URL' })
      .optional(),
    QUOTA_HANDOFFS_PER_HOUR: int(0, 1_000_000).default(3),
    QUOTA_IP_HANDOFFS_PER_HOUR: int(0, 1_000_000).default(10),
    SITE_HANDOFFS_PER_DAY: int(0, 1_000_000_000).default(200),
    INGEST_SCHEDULE: optionalString.pipe(
      z
        .string()
        .refine((value) => isSchedule(value), {
          error:
            'must be a cron expression (5 fields, or EventBridge cron(...)) or rate(N minutes|hours|days)',
        })
        .optional(),
    ),
  } satisfies Record<EnvironmentVariable, z.ZodType>)
  .superRefine((env, ctx) => {
    // Fallbacks need their keys as much as the primary does; LLM_BASE_URL is the primary's only.
    const used = [
      { provider: env.LLM_PROVIDER, setting: `LLM_PROVIDER=${env.LLM_PROVIDER}`, primary: true },
      ...env.LLM_FALLBACK.map((provider) => ({
        provider,
        setting: `LLM_FALLBACK includes ${provider}`,
        primary: false,
      })),
    ];
    for (const { provider, setting, primary } of used) {
      const { apiKey, needsRegion } = LLM_DESCRIPTORS[provider];
      const ownServer = primary && env.LLM_BASE_URL !== undefined;
      if (apiKey && !env[apiKey.variable] && !(apiKey.optionalWithBaseUrl && ownServer)) {
        ctx.addIssue({
          code: 'custom',
          path: [apiKey.variable],
          message: `is required when ${setting}`,
        });
      }
      if (needsRegion && !env.AWS_REGION) {
        ctx.addIssue({
          code: 'custom',
          path: ['AWS_REGION'],
          message: `is required when ${setting}`,
        });
      }
    }
    if (
      env.LLM_FALLBACK_MODELS.length > 0 &&
      env.LLM_FALLBACK_MODELS.length !== env.LLM_FALLBACK.length
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['LLM_FALLBACK_MODELS'],
        message: 'must name one model for each provider in LLM_FALLBACK, in the same order',
      });
    }
    const embeddings = EMBEDDING_DESCRIPTORS[env.EMBEDDING_PROVIDER];
    const embeddingSetting = `EMBEDDING_PROVIDER=${env.EMBEDDING_PROVIDER}`;
    if (embeddings.needsRegion && !env.AWS_REGION) {
      ctx.addIssue({
        code: 'custom',
        path: ['AWS_REGION'],
        message: `is required when ${embeddingSetting}`,
      });
    }
    const embeddingKey = embeddings.apiKey;
    if (
      embeddingKey &&
      !env[embeddingKey.variable] &&
      !(embeddingKey.optionalWithBaseUrl && env.EMBEDDING_BASE_URL)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: [embeddingKey.variable],
        message: `is required when ${embeddingSetting}`,
      });
    }
    // Without a fixed secret each task signs with its own random one: tokens would fail on the other
    // tasks and after every deploy.
    if (env.NODE_ENV === 'production' && !env.VISITOR_TOKEN_SECRET) {
      ctx.addIssue({
        code: 'custom',
        path: ['VISITOR_TOKEN_SECRET'],
        message: 'is required when NODE_ENV=production',
      });
    }
    const reranker = RERANK_DESCRIPTORS[env.RERANK_PROVIDER];
    const rerankSetting = `RERANK_PROVIDER=${env.RERANK_PROVIDER}`;
    const rerankKey = reranker.apiKey;
    if (
      rerankKey &&
      !env[rerankKey.variable] &&
      !(rerankKey.optionalWithBaseUrl && env.RERANK_BASE_URL)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: [rerankKey.variable],
        message: `is required when ${rerankSetting}`,
      });
    }
    if (reranker.needsRegion && !env.AWS_REGION) {
      ctx.addIssue({
        code: 'custom',
        path: ['AWS_REGION'],
        message: `is required when ${rerankSetting}`,
      });
    }
    if (env.ANALYTICS_STORE === 'postgres' && !env.DATABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['DATABASE_URL'],
        message: 'is required when ANALYTICS_STORE=postgres',
      });
    }
    if (env.ANALYTICS_STORE === 'sqlite' && env.DATABASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['ANALYTICS_STORE'],
        message: 'is sqlite but DATABASE_URL is set: unset one of them',
      });
    }
    // Each worker would keep its own conversations, quotas and recoverable connections.
    if (env.WORKERS > 1 && !env.REDIS_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['WORKERS'],
        message: `is ${env.WORKERS}, and more than 1 worker needs REDIS_URL: the workers share conversations, quotas and recoverable connections through Redis`,
      });
    }
    const emailTo = env.HANDOFF_EMAIL_TO ?? [];
    if (emailTo.length > 0 && !env.HANDOFF_EMAIL_FROM) {
      ctx.addIssue({
        code: 'custom',
        path: ['HANDOFF_EMAIL_FROM'],
        message: 'is required when HANDOFF_EMAIL_TO is set (with ses, an identity verified in SES)',
      });
    }
    if (emailTo.length > 0 && env.HANDOFF_EMAIL_TRANSPORT === 'smtp' && !env.HANDOFF_SMTP_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['HANDOFF_SMTP_URL'],
        message: 'is required when HANDOFF_EMAIL_TO is set and HANDOFF_EMAIL_TRANSPORT=smtp',
      });
    }
    if (emailTo.length > 0 && env.HANDOFF_EMAIL_TRANSPORT === 'ses' && !env.AWS_REGION) {
      ctx.addIssue({
        code: 'custom',
        path: ['AWS_REGION'],
        message: 'is required when HANDOFF_EMAIL_TRANSPORT=ses',
      });
    }
    if (env.VECTOR_STORE === 'qdrant' && !env.QDRANT_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['QDRANT_URL'],
        message: 'is required when VECTOR_STORE=qdrant',
      });
    }
    // Qdrant refuses a collection whose writes would need more acknowledgements than it has replicas.
    if (env.QDRANT_WRITE_CONSISTENCY > env.QDRANT_REPLICATION_FACTOR) {
      ctx.addIssue({
        code: 'custom',
        path: ['QDRANT_WRITE_CONSISTENCY'],
        message: `must be at most QDRANT_REPLICATION_FACTOR (${env.QDRANT_REPLICATION_FACTOR})`,
      });
    }
  });

export type Env = z.infer<typeof envSchema>;
