import { type LlmDescriptor } from '../llm-descriptor';
import type * as Anthropic from './anthropic.provider';

/* eslint-disable @typescript-eslint/no-require-imports -- loaded when picked: see ProviderDescriptor */
export const anthropic: LlmDescriptor<'anthropic'> = {
  id: 'anthropic',
  defaultModel: 'claude-3-5-haiku-latest',
  apiKey: { variable: 'ANTHROPIC_API_KEY', optionalWithBaseUrl: false },
  needsRegion: false,
  // List price, on-demand, as published by Anthropic on 2026-11-26.
  prices: { 'claude-3-5-haiku-latest': { inputPerMillion: 0.8, outputPerMillion: 4 } },
  create: (settings) =>
    new (require('./anthropic.provider') as typeof Anthropic).AnthropicProvider(settings),
};
