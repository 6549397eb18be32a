import { randomUUID } from 'node:crypto';
import { type ChatTurn } from '../../llm/llm-provider';
import { ConversationStore, type Exchange } from './conversation-store';

export interface MemoryLimits {
  /** Exchanges kept per conversation; the oldest go first. */
  maxTurns: number;
  /** Conversations kept; the least recently used go first. */
  maxConversations: number;
  ttlMs: number;
}

interface Conversation {
  exchanges: Exchange[];
  lastUsed: number;
}

/** Conversation memory in this process: bounded in count, length and age. */
export class MemoryConversationStore extends ConversationStore {
  // A Map iterates in insertion order; re-inserting on use keeps the least recently used first.
  private readonly conversations = new Map<string, Conversation>();
  private readonly messageOwners = new Map<string, string>();

  constructor(
    private readonly limits: MemoryLimits,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  /** `id` continues a conversation begun elsewhere (in Redis, before an outage) under its own id. */
  create(id: string = randomUUID()): Promise<string> {
    this.evictExpired();
    while (this.conversations.size >= this.limits.maxConversations) {
      const oldest = this.conversations.keys().next().value;
      if (oldest === undefined) break;
      this.forget(oldest);
    }
    this.conversations.set(id, { exchanges: [], lastUsed: this.now() });
    return Promise.resolve(id);
  }

  history(conversationId: string): Promise<ChatTurn[] | undefined> {
    const conversation = this.touch(conversationId);
    if (!conversation) return Promise.resolve(undefined);
    return Promise.resolve(
      conversation.exchanges.flatMap((exchange): ChatTurn[] => [
        { role: 'user', content: exchange.question },
        { role: 'assistant', content: exchange.answer },
      ]),
    );
  }

  append(conversationId: string, exchange: Exchange): Promise<void> {
    const conversation = this.touch(conversationId);
    if (conversation && !this.messageOwners.has(exchange.messageId)) {
      conversation.exchanges.push(exchange);
      this.messageOwners.set(exchange.messageId, conversationId);
      for (const dropped of conversation.exchanges.splice(
        0,
        conversation.exchanges.length - this.limits.maxTurns,
      )) {
        this.messageOwners.delete(dropped.messageId);
      }
    }
    return Promise.resolve();
  }

  conversationOf(messageId: string): Promise<string | undefined> {
    const owner = this.messageOwners.get(messageId);
    return Promise.resolve(owner && this.touch(owner) ? owner : undefined);
  }

  private touch(conversationId: string): Conversation | undefined {
    const conversation = this.conversations.get(conversationId);
    if (!conversation) return undefined;
    if (this.now() - conversation.lastUsed > this.limits.ttlMs) {
      this.forget(conversationId);
      return undefined;
    }
    conversation.lastUsed = this.now();
    this.conversations.delete(conversationId);
    this.conversations.set(conversationId, conversation);
    return conversation;
  }

  private evictExpired(): void {
    for (const [id, conversation] of this.conversations) {
      if (this.now() - conversation.lastUsed <= this.limits.ttlMs) break;
      this.forget(id);
    }
  }

  private forget(conversationId: string): void {
    for (const exchange of this.conversations.get(conversationId)?.exchanges ?? []) {
      this.messageOwners.delete(exchange.messageId);
    }
    this.conversations.delete(conversationId);
  }
}
