import { type ChatTurn } from '../../llm/llm-provider';
import { type RedisConnection } from '../../redis/redis-connection';
import { type ConversationOwner, ConversationStore, type Exchange } from './conversation-store';
import { type MemoryConversationStore } from './memory.store';

/**
 * Conversations in Redis, and in this task's memory while Redis is unreachable: chat keeps
 * working, degraded. A conversation whose history cannot be read continues without its earlier
 * turns (a visitor would rather get an answer than "conversation not found"); one begun or
 * continued during the outage stays in memory on this task, its visitor's, until it expires.
 */
export class FailoverConversationStore extends ConversationStore {
  constructor(
    private readonly shared: ConversationStore,
    private readonly local: MemoryConversationStore,
    private readonly redis: RedisConnection,
  ) {
    super();
  }

  create(owner: ConversationOwner): Promise<string> {
    return this.redis.orElse(
      () => this.shared.create(owner),
      () => this.local.create(owner),
    );
  }

  history(conversationId: string, owner: ConversationOwner): Promise<ChatTurn[] | undefined> {
    if (this.local.holds(conversationId)) return this.local.history(conversationId, owner);
    return this.redis.orElse(
      () => this.shared.history(conversationId, owner),
      async () => {
        // Whose it was cannot be checked: it continues empty, so nothing of it is shown to anyone.
        await this.local.create(owner, conversationId);
        return [];
      },
    );
  }

  async append(
    conversationId: string,
    owner: ConversationOwner,
    exchange: Exchange,
  ): Promise<void> {
    if (!this.local.holds(conversationId)) {
      const shared = await this.redis.orElse(
        async () => {
          await this.shared.append(conversationId, owner, exchange);
          return true;
        },
        async () => {
          await this.local.create(owner, conversationId);
          return false;
        },
      );
      if (shared) return;
    }
    await this.local.append(conversationId, owner, exchange);
  }

  async conversationOf(messageId: string, owner: ConversationOwner): Promise<string | undefined> {
    const local = await this.local.conversationOf(messageId, owner);
    if (local) return local;
    return this.redis.orElse(
      () => this.shared.conversationOf(messageId, owner),
      () => undefined,
    );
  }
}
