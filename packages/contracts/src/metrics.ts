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
  notFoundAnswers: 'NotFoundAnswers',
  rerankLatency: 'RerankLatency',
  rerankCost: 'RerankCostUSD',
  rerankErrors: 'RerankErrors',
} as const;
export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** The CloudWatch namespace of those metrics (METRICS_NAMESPACE's default). */
export const METRICS_NAMESPACE = 'LoreChat';
