import { Module } from '@nestjs/common';
import { type AppConfig, type LlmSettings } from '../config/app-config';
import { ConfigService } from '../config/config.service';
import { type LlmProviderName } from '../config/env.schema';
import { Analyzer } from '../retrieval/analyzer';
import { CircuitBreaker } from './circuit-breaker';
import { type FallbackLink, FallbackLlmProvider } from './fallback.provider';
import { LlmProvider } from './llm-provider';
import { AnthropicProvider } from './providers/anthropic.provider';
import { BedrockProvider } from './providers/bedrock.provider';
import { ExtractiveProvider } from './providers/extractive.provider';
import { OpenAiProvider } from './providers/openai.provider';

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
  // With no fallback there is nowhere to skip to, so the provider is used as it is: a breaker would
  // only swap its specific error (auth, rate limit) for a generic "unavailable".
  if (config.llmFallbacks.length === 0) return primary;
  const link = (provider: LlmProvider): FallbackLink => ({
    provider,
    breaker: new CircuitBreaker({
      failureThreshold: config.llmBreaker.failures,
      cooldownMs: config.llmBreaker.cooldownMs,
    }),
  });
  return new FallbackLlmProvider([
    link(primary),
    ...config.llmFallbacks.map((settings) => link(PROVIDERS[settings.provider](settings, config))),
  ]);
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
