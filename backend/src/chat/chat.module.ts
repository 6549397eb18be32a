import { Module } from '@nestjs/common';
import { ConfigService } from '../config/config.service';
import { LlmModule } from '../llm/llm.module';
import { RetrievalModule } from '../retrieval/retrieval.module';
import { ChatGateway } from './chat.gateway';
import { ChatService } from './chat.service';
import { ConversationStore } from './conversation.store';
import { MemoryConversationStore } from './memory-conversation.store';

@Module({
  imports: [LlmModule, RetrievalModule],
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
  ],
})
export class ChatModule {}
