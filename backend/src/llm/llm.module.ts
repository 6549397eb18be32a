import { Module } from '@nestjs/common';
import { type AppConfig, type LlmSettings } from '../config/app-config';
import { ConfigService } from '../config/config.service';
import { type LlmProviderName } from '@lorechat/contracts';
import { Analyzer } from '../text/analyzer';
import { CircuitBreaker } from './circuit-breaker';
import { LlmProvider } from './llm-provider';
import { ExtractiveProvider } from './providers/extractive.provider';
import type * as Anthropic from './providers/anthropic.provider';
import type * as Bedrock from './providers/bedrock.provider';
import type * as OpenAi from './providers/openai.provider';
import { type ProviderLink, ResilientLlmProvider } from './resilient.provider';
import { RetryPolicy } from './retry-policy';

/* eslint-disable @typescript-eslint/no-require-imports -- the cloud providers are required when
   picked, not at start: their SDKs took half of the server's start-up CPU (npm run bench:startup). */
/**
 * One line per provider: LLM_PROVIDER and LLM_FALLBACK pick lines, each with its own settings.
 * A provider's module (and its SDK) is loaded only when its line is picked.
 */
const PROVIDERS: Record<
  LlmProviderName,
  (settings: LlmSettings, config: AppConfig) => LlmProvider
> = {
  // The offline answerer matches question words the way retrieval does.
  extractive: (_settings, config) =>
    new ExtractiveProvider(new Analyzer(config.retrieval.language)),
  openai: (settings) =>
    new (require('./providers/openai.provider') as typeof OpenAi).OpenAiProvider(settings),
  anthropic: (settings) =>
    new (require('./providers/anthropic.provider') as typeof Anthropic).AnthropicProvider(settings),
  bedrock: (settings) =>
    new (require('./providers/bedrock.provider') as typeof Bedrock).BedrockProvider(settings),
};
/* eslint-enable @typescript-eslint/no-require-imports */

export function createLlmProvider(config: AppConfig): LlmProvider {
  const primary = PROVIDERS[config.llm.provider](config.llm, config);
  const fallbacks = config.llmFallbacks.map((settings) =>
    PROVIDERS[settings.provider](settings, config),
  );
  const link = (provider: LlmProvider): ProviderLink => ({
    provider,
    // With no fallback there is nowhere to skip to: see ProviderLink.
    breaker:
      fallbacks.length === 0
        ? undefined
        : new CircuitBreaker({
            failureThreshold: config.llmBreaker.failures,
            cooldownMs: config.llmBreaker.cooldownMs,
          }),
  });
  return new ResilientLlmProvider([link(primary), ...fallbacks.map(link)], {
    timeoutMs: config.llm.timeoutMs,
    retry: new RetryPolicy(config.llmRetry),
  });
}

@Module({
  providers: [
    {
      provide: LlmProvider,
      useFactory: ({ config }: ConfigService) => createLlmProvider(config),
      inject: [ConfigService],
    },
  ],
  exports: [LlmProvider],
})
export class LlmModule {}
