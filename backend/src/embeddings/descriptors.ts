import { type EmbeddingProviderName } from '@lorechat/contracts';
import { bedrock } from './bedrock.descriptor';
import { type EmbeddingDescriptor } from './embedding-descriptor';
import { local } from './local.descriptor';
import { none } from './none.descriptor';
import { openai } from './openai.descriptor';

/**
 * Every embedding provider, by the id EMBEDDING_PROVIDER names it with: configuration, the
 * provider factory and the docs check read this table.
 */
export const EMBEDDING_DESCRIPTORS: {
  readonly [Id in EmbeddingProviderName]: EmbeddingDescriptor<Id>;
} = { none, local, openai, bedrock };
