/**
 * The backend's CloudWatch metrics, by the names it writes them under and the alarms, dashboard and
 * connection scaling of the Pulumi program read them by.
 */
export const METRIC = {
  activeConnections: 'ActiveConnections',
  questions: 'Questions',
  retrievalLatency: 'RetrievalLatency',
  timeToFirstToken: 'TimeToFirstToken',
  inputTokens: 'InputTokens',
  outputTokens: 'OutputTokens',
  answerCost: 'AnswerCostUSD',
  providerErrors: 'ProviderErrors',
  responseCacheLookups: 'ResponseCacheLookups',
  responseCacheHits: 'ResponseCacheHits',
  /** Each minute, per dependency: 1 when the task reaches it, 0 when not. */
  dependencyReady: 'DependencyReady',
  handoffs: 'Handoffs',
  handoffDeliveryErrors: 'HandoffDeliveryErrors',
  notFoundAnswers: 'NotFoundAnswers',
  rerankLatency: 'RerankLatency',
  rerankCost: 'RerankCostUSD',
  rerankErrors: 'RerankErrors',
} as const;
export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** The CloudWatch namespace of those metrics (METRICS_NAMESPACE's default). */
export const METRICS_NAMESPACE = 'LoreChat';

/** The `Dependency` dimension of DependencyReady: what a task needs to answer besides itself. */
export const DEPENDENCY = {
  /** The index (Qdrant in AWS). */
  vectorStore: 'vector-store',
  /** Shared conversations, quotas and the Socket.IO adapter, when REDIS_URL is set. */
  redis: 'redis',
} as const;
export type DependencyName = (typeof DEPENDENCY)[keyof typeof DEPENDENCY];
