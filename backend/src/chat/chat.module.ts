import { Module } from '@nestjs/common';
import { AnalyticsModule } from '../analytics/analytics.module';
import { ConfigService } from '../config/config.service';
import { HandoffModule } from '../handoff/handoff.module';
import { HealthModule } from '../health/health.module';
import { LlmModule } from '../llm/llm.module';
import { RetrievalModule } from '../retrieval/retrieval.module';
import { SecurityModule } from '../security/security.module';
import { VectorStoreModule } from '../vector-store/vector-store.module';
import { AnswerPipeline } from './answer/answer-pipeline';
import { ChatGateway } from './chat.gateway';
import { ChatService } from './chat.service';
import { ConversationStore } from './conversation-store/conversation-store';
import { createConversationStore } from './conversation-store/factory';
import { createResponseCache } from './response-cache/factory';
import { ResponseCache } from './response-cache/response-cache';
import { RedisConnection } from '../redis/redis-connection';
import { OPTIONAL_REDIS } from '../redis/redis.module';

@Module({
  imports: [
    LlmModule,
    RetrievalModule,
    SecurityModule,
    HealthModule,
    VectorStoreModule,
    AnalyticsModule,
    HandoffModule,
  ],
  providers: [
    ChatGateway,
    ChatService,
    AnswerPipeline,
    {
      provide: ConversationStore,
      useFactory: ({ config }: ConfigService, redis?: RedisConnection) =>
        createConversationStore(config, redis),
      inject: [ConfigService, OPTIONAL_REDIS],
    },
    {
      provide: ResponseCache,
      useFactory: ({ config }: ConfigService, redis?: RedisConnection) =>
        createResponseCache(config, redis),
      inject: [ConfigService, OPTIONAL_REDIS],
    },
  ],
})
export class ChatModule {}
