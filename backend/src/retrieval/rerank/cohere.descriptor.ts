import { type RerankDescriptor } from './rerank-descriptor';
import type * as Cohere from './cohere.reranker';

/* eslint-disable @typescript-eslint/no-require-imports -- loaded when picked: see ProviderDescriptor */
export const cohere: RerankDescriptor<'cohere'> = {
  id: 'cohere',
  defaultModel: 'rerank-v3.5',
  // Cohere's own API always needs its key, a proxy in front of it too.
  apiKey: { variable: 'COHERE_API_KEY', optionalWithBaseUrl: false },
  needsRegion: false,
  // List price, as published by Cohere on 2026-11-26.
  prices: { 'rerank-v3.5': { perThousandUnits: 2 } },
  create: ({ apiKey, model, baseUrl }) =>
    new (require('./cohere.reranker') as typeof Cohere).CohereReranker({
      apiKey: apiKey ?? '',
      model,
      baseUrl: baseUrl ?? 'https://api.cohere.com',
    }),
};
