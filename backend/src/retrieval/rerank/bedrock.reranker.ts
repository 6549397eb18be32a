import {
  BedrockAgentRuntimeClient,
  type BedrockAgentRuntimeClientConfig,
  RerankCommand,
} from '@aws-sdk/client-bedrock-agent-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { DOCUMENTS_PER_UNIT, type RerankResult, Reranker, RerankError } from './reranker';

export interface BedrockRerankSettings {
  region: string;
  /** `amazon.rerank-v1:0` or `cohere.rerank-v3-5:0`. */
  model: string;
  /** A VPC endpoint, or a local test server. */
  baseUrl?: string;
  timeoutMs: number;
}

/**
 * The Bedrock Rerank API (bedrock-agent-runtime `Rerank`), through the AWS SDK with its retries
 * off: a failed rerank keeps the fused order rather than making the visitor wait.
 */
export class BedrockReranker extends Reranker {
  private readonly client: BedrockAgentRuntimeClient;

  constructor(
    private readonly settings: BedrockRerankSettings,
    overrides: Pick<BedrockAgentRuntimeClientConfig, 'credentials'> = {},
  ) {
    super();
    this.client = new BedrockAgentRuntimeClient({
      region: settings.region,
      endpoint: settings.baseUrl,
      maxAttempts: 1,
      requestHandler: new NodeHttpHandler({
        connectionTimeout: settings.timeoutMs,
        requestTimeout: settings.timeoutMs,
        throwOnRequestTimeout: true,
      }),
      ...overrides,
    });
  }

  describe() {
    return { provider: 'bedrock', model: this.settings.model };
  }

  async rerank(
    query: string,
    documents: string[],
    topN: number,
    signal: AbortSignal,
  ): Promise<RerankResult> {
    const modelArn = `arn:aws:bedrock:${this.settings.region}::foundation-model/${this.settings.model}`;
    try {
      const output = await this.client.send(
        new RerankCommand({
          queries: [{ type: 'TEXT', textQuery: { text: query } }],
          sources: documents.map((text) => ({
            type: 'INLINE',
            inlineDocumentSource: { type: 'TEXT', textDocument: { text } },
          })),
          rerankingConfiguration: {
            type: 'BEDROCK_RERANKING_MODEL',
            bedrockRerankingConfiguration: {
              numberOfResults: topN,
              modelConfiguration: { modelArn },
            },
          },
        }),
        { abortSignal: signal },
      );
      const items = (output.results ?? []).flatMap(({ index, relevanceScore }) =>
        index !== undefined && relevanceScore !== undefined && index < documents.length
          ? [{ index, score: relevanceScore }]
          : [],
      );
      return { items, billedUnits: Math.max(1, Math.ceil(documents.length / DOCUMENTS_PER_UNIT)) };
    } catch (error) {
      const status = (error as { $metadata?: { httpStatusCode?: number } }).$metadata
        ?.httpStatusCode;
      throw new RerankError(
        `bedrock rerank: ${(error as Error).name}${status ? ` (HTTP ${status})` : ''}`,
        status,
      );
    }
  }
}
