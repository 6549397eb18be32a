import { Module } from '@nestjs/common';
import { type AppConfig, type LlmSettings } from '../config/app-config';
import { ConfigService } from '../config/config.service';
import { type LlmProviderName } from '@lorechat/contracts';
import { Analyzer } from '../text/analyzer';
import { CircuitBreaker } from './circuit-breaker';
import { LlmProvider } from './llm-provider';
import { AnthropicProvider } from './providers/anthropic.provider';
import { BedrockProvider } from './providers/bedrock.provider';
import { ExtractiveProvider } from './providers/extractive.provider';
import { OpenAiProvider } from './providers/openai.provider';
import { type ProviderLink, ResilientLlmProvider } from './resilient.provider';
import { RetryPolicy } from './retry-policy';

/** One line per provider: LLM_PROVIDER and LLM_FALLBACK pick lines, each with its own settings. */
const PROVIDERS: Record<
  LlmProviderName,
  (settings: LlmSettings, config: AppConfig) => LlmProvider
> = {
  // The offline answerer matches question words the way retrieval does.
  extractive: (_settings, config) =>
    new ExtractiveProvider(new Analyzer(config.retrieval.language)),
  openai: (settings) => new OpenAiProvider(settings),
  anthropic: (settings) => new AnthropicProvider(settings),
  bedrock: (settings) => new BedrockProvider(settings),
};

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
