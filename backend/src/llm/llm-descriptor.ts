import { type LlmProviderName } from '@lorechat/contracts';
import { type LlmSettings } from '../config/app-config';
import { type ModelPrice } from '../config/model-prices';
import { type ProviderDescriptor } from '../config/provider-descriptor';
import { type LlmProvider } from './llm-provider';

/** An LLM provider's descriptor, with the list prices of its models for the cost metrics. */
export interface LlmDescriptor<
  Id extends LlmProviderName = LlmProviderName,
> extends ProviderDescriptor<Id, LlmSettings, LlmProvider> {
  /** USD per million tokens by model id; `LLM_PRICES` adds models or overrides these. */
  prices: Readonly<Record<string, ModelPrice>>;
}
