import { Module } from '@nestjs/common';
import { type AppConfig, type LlmSettings } from '../config/app-config';
import { ConfigService } from '../config/config.service';
import { CircuitBreaker } from './circuit-breaker';
import { LlmProvider } from './llm-provider';
import { LLM_DESCRIPTORS } from './providers/descriptors';
import { type ProviderLink, ResilientLlmProvider } from './resilient.provider';
import { RetryPolicy } from './retry-policy';

export function createLlmProvider(config: AppConfig): LlmProvider {
  // Each provider's descriptor builds it, loading its module (and SDK) only now.
  const create = (settings: LlmSettings) =>
    LLM_DESCRIPTORS[settings.provider].create(settings, config);
  const primary = create(config.llm);
  const fallbacks = config.llmFallbacks.map(create);
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
