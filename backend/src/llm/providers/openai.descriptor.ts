import { type LlmDescriptor } from '../llm-descriptor';
import type * as OpenAi from './openai.provider';

/* eslint-disable @typescript-eslint/no-require-imports -- loaded when picked: see ProviderDescriptor */
export const openai: LlmDescriptor<'openai'> = {
  id: 'openai',
  defaultModel: 'gpt-4o-mini',
  // An OpenAI-compatible server (Ollama, vLLM) usually needs no key; api.openai.com always does.
  apiKey: { variable: 'OPENAI_API_KEY', optionalWithBaseUrl: true },
  needsRegion: false,
  // List price, on-demand, as published by OpenAI on 2026-11-26.
  prices: { 'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 } },
  create: (settings) =>
    new (require('./openai.provider') as typeof OpenAi).OpenAiProvider(settings),
};
