import { Module } from '@nestjs/common';
import { type AppConfig } from '../config/app-config';
import { ConfigService } from '../config/config.service';
import { type LlmProviderName } from '../config/env.schema';
import { Analyzer } from '../retrieval/analyzer';
import { LlmProvider } from './llm-provider';
import { AnthropicProvider } from './providers/anthropic.provider';
import { BedrockProvider } from './providers/bedrock.provider';
import { ExtractiveProvider } from './providers/extractive.provider';
import { OpenAiProvider } from './providers/openai.provider';

/** One line per provider: LLM_PROVIDER picks the line. */
const PROVIDERS: Record<LlmProviderName, (config: AppConfig) => LlmProvider> = {
  // The offline answerer matches question words the way retrieval does.
  extractive: (config) => new ExtractiveProvider(new Analyzer(config.retrieval.language)),
  openai: (config) => new OpenAiProvider(config.llm),
  anthropic: (config) => new AnthropicProvider(config.llm),
  bedrock: (config) => new BedrockProvider(config.llm),
};

export function createLlmProvider(config: AppConfig): LlmProvider {
  return PROVIDERS[config.llm.provider](config);
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
