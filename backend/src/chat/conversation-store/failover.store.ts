import { type ChatTurn } from '../../llm/llm-provider';
import { type RedisConnection } from '../../redis/redis-connection';
import { ConversationStore, type Exchange } from './conversation-store';
import { type MemoryConversationStore } from './memory.store';

/**
 * Conversations in Redis, and in this task's memory while Redis is unreachable: chat keeps
 * working, degraded. A conversation whose history cannot be read continues without its earlier
 * turns (a visitor would rather get an answer than "conversation not found"); one begun or
 * continued during the outage stays in memory on this task until it expires.
 */
export class FailoverConversationStore extends ConversationStore {
  constructor(
    private readonly shared: ConversationStore,
    private readonly local: MemoryConversationStore,
    private readonly redis: RedisConnection,
  ) {
    super();
  }

  create(): Promise<string> {
    return this.redis.orElse(
      () => this.shared.create(),
      () => this.local.create(),
    );
  }

  async history(conversationId: string): Promise<ChatTurn[] | undefined> {
    const local = await this.local.history(conversationId);
    if (local) return local;
    return this.redis.orElse(
      () => this.shared.history(conversationId),
      async () => {
        await this.local.create(conversationId);
        return [];
      },
    );
  }

  async append(conversationId: string, exchange: Exchange): Promise<void> {
    if (!(await this.local.history(conversationId))) {
      const shared = await this.redis.orElse(
        async () => {
          await this.shared.append(conversationId, exchange);
          return true;
        },
        async () => {
          await this.local.create(conversationId);
          return false;
        },
      );
      if (shared) return;
    }
    await this.local.append(conversationId, exchange);
  }

  async conversationOf(messageId: string): Promise<string | undefined> {
    const local = await this.local.conversationOf(messageId);
    if (local) return local;
    return this.redis.orElse(
      () => this.shared.conversationOf(messageId),
      () => undefined,
    );
  }
}
