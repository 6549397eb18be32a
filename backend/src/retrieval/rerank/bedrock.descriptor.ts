import { type RerankDescriptor } from './rerank-descriptor';
import type * as Bedrock from './bedrock.reranker';

/* eslint-disable @typescript-eslint/no-require-imports -- loaded when picked: see ProviderDescriptor */
export const bedrock: RerankDescriptor<'bedrock'> = {
  id: 'bedrock',
  defaultModel: 'amazon.rerank-v1:0',
  needsRegion: true,
  // On-demand list prices, as published by AWS for us-east-1 on 2026-11-26.
  prices: {
    'amazon.rerank-v1:0': { perThousandUnits: 1 },
    'cohere.rerank-v3-5:0': { perThousandUnits: 2 },
  },
  create: ({ region, model, baseUrl, timeoutMs }) =>
    new (require('./bedrock.reranker') as typeof Bedrock).BedrockReranker({
      region: region ?? '',
      model,
      baseUrl,
      timeoutMs,
    }),
};
