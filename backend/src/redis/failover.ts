import {
  type ConversationOwner,
  ConversationStore,
  type Exchange,
} from '../chat/conversation.store';
import { type MemoryConversationStore } from '../chat/memory-conversation.store';
import { type ChatTurn } from '../llm/llm-provider';
import { QuotaStore } from '../security/quota.store';
import { type RedisConnection } from './redis-connection';

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

  async create(owner: ConversationOwner): Promise<string> {
    try {
      return await this.shared.create(owner);
    } catch (error) {
      this.redis.reportFailure(error);
      return this.local.create(owner);
    }
  }

  async history(conversationId: string, owner: ConversationOwner): Promise<ChatTurn[] | undefined> {
    if (this.local.holds(conversationId)) return this.local.history(conversationId, owner);
    try {
      return await this.shared.history(conversationId, owner);
    } catch (error) {
      this.redis.reportFailure(error);
      // Whose it was cannot be checked: it continues empty, so nothing of it is shown to anyone.
      await this.local.create(owner, conversationId);
      return [];
    }
  }

  async append(
    conversationId: string,
    owner: ConversationOwner,
    exchange: Exchange,
  ): Promise<void> {
    if (!this.local.holds(conversationId)) {
      try {
        await this.shared.append(conversationId, owner, exchange);
        return;
      } catch (error) {
        this.redis.reportFailure(error);
        await this.local.create(owner, conversationId);
      }
    }
    await this.local.append(conversationId, owner, exchange);
  }

  async conversationOf(messageId: string, owner: ConversationOwner): Promise<string | undefined> {
    const local = await this.local.conversationOf(messageId, owner);
    if (local) return local;
    try {
      return await this.shared.conversationOf(messageId, owner);
    } catch (error) {
      this.redis.reportFailure(error);
      return undefined;
    }
  }
}

/**
 * Quota counters in Redis, and in this task's memory while Redis is unreachable: limits are then
 * enforced per task rather than not at all, and a Redis outage never refuses a visitor.
 */
export class FailoverQuotaStore extends QuotaStore {
  constructor(
    private readonly shared: QuotaStore,
    private readonly local: QuotaStore,
    private readonly redis: RedisConnection,
  ) {
    super();
  }

  async increment(key: string, amount: number, expiresAtMs: number): Promise<number> {
    try {
      return await this.shared.increment(key, amount, expiresAtMs);
    } catch (error) {
      this.redis.reportFailure(error);
      return this.local.increment(key, amount, expiresAtMs);
    }
  }

  async get(key: string): Promise<number> {
    try {
      return await this.shared.get(key);
    } catch (error) {
      this.redis.reportFailure(error);
      return this.local.get(key);
    }
  }
}
