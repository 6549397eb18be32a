import { type LlmDescriptor } from '../llm-descriptor';
import type * as Bedrock from './bedrock.provider';

/* eslint-disable @typescript-eslint/no-require-imports -- loaded when picked: see ProviderDescriptor */
export const bedrock: LlmDescriptor<'bedrock'> = {
  id: 'bedrock',
  defaultModel: 'amazon.nova-lite-v1:0',
  needsRegion: true,
  // List price, on-demand, as published by AWS for us-east-1 on 2026-11-26; inference profiles
  // (`eu.amazon.nova-lite-v1:0`) are priced as the model behind them.
  prices: { 'amazon.nova-lite-v1:0': { inputPerMillion: 0.06, outputPerMillion: 0.24 } },
  create: (settings) =>
    new (require('./bedrock.provider') as typeof Bedrock).BedrockProvider(settings),
};
