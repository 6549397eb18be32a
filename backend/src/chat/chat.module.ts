import { Module } from '@nestjs/common';
import { ConfigService } from '../config/config.service';
import { HealthModule } from '../health/health.module';
import { LlmModule } from '../llm/llm.module';
import { RetrievalModule } from '../retrieval/retrieval.module';
import { SecurityModule } from '../security/security.module';
import { VectorStoreModule } from '../vector-store/vector-store.module';
import { ChatGateway } from './chat.gateway';
import { ChatService } from './chat.service';
import { ConversationStore } from './conversation.store';
import { MemoryConversationStore } from './memory-conversation.store';
import { MemoryResponseCache } from './memory-response-cache';
import { ResponseCache } from './response-cache';

@Module({
  imports: [LlmModule, RetrievalModule, SecurityModule, HealthModule, VectorStoreModule],
  providers: [
    ChatGateway,
    ChatService,
    {
      provide: ConversationStore,
      useFactory: ({ config }: ConfigService) =>
        new MemoryConversationStore({
          maxTurns: config.chat.maxTurns,
          maxConversations: config.chat.maxConversations,
          ttlMs: config.chat.conversationTtlMs,
        }),
      inject: [ConfigService],
    },
    {
      provide: ResponseCache,
      useFactory: ({ config }: ConfigService) =>
        new MemoryResponseCache({
          maxEntries: config.chat.responseCache.maxEntries,
          ttlMs: config.chat.responseCache.ttlMs,
        }),
      inject: [ConfigService],
    },
  ],
})
export class ChatModule {}
