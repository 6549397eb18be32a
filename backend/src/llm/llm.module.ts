import { Module } from '@nestjs/common';
import { type LlmSettings } from '../config/app-config';
import { ConfigService } from '../config/config.service';
import { type LlmProviderName } from '../config/env.schema';
import { LlmProvider } from './llm-provider';
import { AnthropicProvider } from './providers/anthropic.provider';
import { BedrockProvider } from './providers/bedrock.provider';
import { ExtractiveProvider } from './providers/extractive.provider';
import { OpenAiProvider } from './providers/openai.provider';

/** One line per provider: LLM_PROVIDER picks the line. */
const PROVIDERS: Record<LlmProviderName, (settings: LlmSettings) => LlmProvider> = {
  extractive: () => new ExtractiveProvider(),
  openai: (settings) => new OpenAiProvider(settings),
  anthropic: (settings) => new AnthropicProvider(settings),
  bedrock: (settings) => new BedrockProvider(settings),
};

export function createLlmProvider(settings: LlmSettings): LlmProvider {
  return PROVIDERS[settings.provider](settings);
}

@Module({
  providers: [
    {
      provide: LlmProvider,
      useFactory: ({ config }: ConfigService) => createLlmProvider(config.llm),
      inject: [ConfigService],
    },
  ],
  exports: [LlmProvider],
})
export class LlmModule {}
