/**
 * The ids a deployment chooses between: the backend's configuration accepts exactly these, and the
 * Pulumi stack configuration passes them through to it.
 */

/** LLM_PROVIDER: who writes the answers. */
export const LLM_PROVIDERS = ['extractive', 'openai', 'anthropic', 'bedrock'] as const;
export type LlmProviderName = (typeof LLM_PROVIDERS)[number];

/** EMBEDDING_PROVIDER: who turns text into vectors for dense search (`none`: keyword search only). */
export const EMBEDDING_PROVIDERS = ['none', 'local', 'openai', 'bedrock'] as const;
export type EmbeddingProviderName = (typeof EMBEDDING_PROVIDERS)[number];

/** VECTOR_STORE: where the index lives. */
export const VECTOR_STORES = ['embedded', 'qdrant'] as const;
export type VectorStoreName = (typeof VECTOR_STORES)[number];

/** LOG_LEVEL, in Nest's names, most severe first. */
export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevelName = (typeof LOG_LEVELS)[number];

/** ANALYTICS_STORE: where the conversation log lives (`postgres` needs DATABASE_URL). */
export const ANALYTICS_STORES = ['sqlite', 'postgres'] as const;
export type AnalyticsStoreName = (typeof ANALYTICS_STORES)[number];

/** HANDOFF_EMAIL_TRANSPORT: how handoff e-mails leave (`ses` in AWS, `smtp` anywhere). */
export const HANDOFF_EMAIL_TRANSPORTS = ['smtp', 'ses'] as const;
export type HandoffEmailTransportName = (typeof HANDOFF_EMAIL_TRANSPORTS)[number];

/** The channels a handoff is sent through, each configured by its own settings. */
export const HANDOFF_CHANNELS = ['webhook', 'email'] as const;
export type HandoffChannelName = (typeof HANDOFF_CHANNELS)[number];

/** RERANK_PROVIDER: who reorders the fused candidates before answering (`none`: nobody). */
export const RERANK_PROVIDERS = ['none', 'bedrock', 'cohere'] as const;
export type RerankProviderName = (typeof RERANK_PROVIDERS)[number];
