import { type AppConfig } from '../../config/app-config';
import { type RedisConnection } from '../../redis/redis-connection';
import { createStateStore, type StateBackends } from '../../redis/state-backend';
import { type ConversationStore } from './conversation-store';
import { FailoverConversationStore } from './failover.store';
import { type MemoryLimits, MemoryConversationStore } from './memory.store';
import { RedisConversationStore } from './redis.store';

/** In Redis, conversations fall back to this task's memory while Redis is unreachable. */
const BACKENDS: StateBackends<ConversationStore, MemoryLimits> = {
  memory: (limits) => new MemoryConversationStore(limits),
  redis: (limits, redis) =>
    new FailoverConversationStore(
      new RedisConversationStore(redis, limits),
      new MemoryConversationStore(limits),
      redis,
    ),
};

export function createConversationStore(
  config: AppConfig,
  redis: RedisConnection | undefined,
): ConversationStore {
  const { maxTurns, maxConversations, conversationTtlMs: ttlMs } = config.chat;
  return createStateStore(BACKENDS, { maxTurns, maxConversations, ttlMs }, redis);
}
