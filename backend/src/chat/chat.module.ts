import { Module } from '@nestjs/common';
import { AnalyticsModule } from '../analytics/analytics.module';
import { ConfigService } from '../config/config.service';
import { HealthModule } from '../health/health.module';
import { LlmModule } from '../llm/llm.module';
import { RetrievalModule } from '../retrieval/retrieval.module';
import { SecurityModule } from '../security/security.module';
import { VectorStoreModule } from '../vector-store/vector-store.module';
import { AnswerPipeline } from './answer/answer-pipeline';
import { ChatGateway } from './chat.gateway';
import { ChatService } from './chat.service';
import { ConversationStore } from './conversation.store';
import { MemoryConversationStore } from './memory-conversation.store';
import { MemoryResponseCache } from './memory-response-cache';
import { ResponseCache } from './response-cache';
import { FailoverConversationStore } from '../redis/failover';
import { RedisConnection } from '../redis/redis-connection';
import { RedisConversationStore } from '../redis/redis-conversation.store';
import { OPTIONAL_REDIS } from '../redis/redis.module';
import { RedisResponseCache } from '../redis/redis-response-cache';

@Module({
  imports: [
    LlmModule,
    RetrievalModule,
    SecurityModule,
    HealthModule,
    VectorStoreModule,
    AnalyticsModule,
  ],
  providers: [
    ChatGateway,
    ChatService,
    AnswerPipeline,
    {
      provide: ConversationStore,
      useFactory: ({ config }: ConfigService, redis?: RedisConnection) => {
        const limits = {
          maxTurns: config.chat.maxTurns,
          maxConversations: config.chat.maxConversations,
          ttlMs: config.chat.conversationTtlMs,
        };
        const local = new MemoryConversationStore(limits);
        if (!redis) return local;
        return new FailoverConversationStore(
          new RedisConversationStore(redis, limits),
          local,
          redis,
        );
      },
      inject: [ConfigService, OPTIONAL_REDIS],
    },
    {
      provide: ResponseCache,
      useFactory: ({ config }: ConfigService, redis?: RedisConnection) => {
        const { maxEntries, ttlMs } = config.chat.responseCache;
        return redis
          ? new RedisResponseCache(redis, ttlMs)
          : new MemoryResponseCache({ maxEntries, ttlMs });
      },
      inject: [ConfigService, OPTIONAL_REDIS],
    },
  ],
})
export class ChatModule {}
