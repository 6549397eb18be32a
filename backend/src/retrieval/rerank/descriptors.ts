import { type RerankProviderName } from '@lorechat/contracts';
import { bedrock } from './bedrock.descriptor';
import { cohere } from './cohere.descriptor';
import { none } from './none.descriptor';
import { type RerankDescriptor } from './rerank-descriptor';

/**
 * Every rerank provider, by the id RERANK_PROVIDER names it with: configuration (default model,
 * required key or region, list prices) and the retrieval module's factory read this table.
 */
export const RERANK_DESCRIPTORS: { readonly [Id in RerankProviderName]: RerankDescriptor<Id> } = {
  none,
  bedrock,
  cohere,
};
