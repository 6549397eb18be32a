import { type LlmProviderName } from '@lorechat/contracts';
import { type LlmDescriptor } from '../llm-descriptor';
import { anthropic } from './anthropic.descriptor';
import { bedrock } from './bedrock.descriptor';
import { extractive } from './extractive.descriptor';
import { openai } from './openai.descriptor';

/**
 * Every LLM provider, by the id LLM_PROVIDER and LLM_FALLBACK name it with: configuration,
 * the provider factory, the cost metrics and the docs check read this table.
 */
export const LLM_DESCRIPTORS: { readonly [Id in LlmProviderName]: LlmDescriptor<Id> } = {
  extractive,
  openai,
  anthropic,
  bedrock,
};
