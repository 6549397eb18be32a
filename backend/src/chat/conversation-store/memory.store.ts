import { randomUUID } from 'node:crypto';
import { type ChatTurn } from '../../llm/llm-provider';
import {
  type ConversationOwner,
  ConversationStore,
  type Exchange,
  ownerKey,
} from './conversation-store';

export interface MemoryLimits {
  /** Exchanges kept per conversation; the oldest go first. */
  maxTurns: number;
  /** Conversations kept; the least recently used go first. */
  maxConversations: number;
  /** Conversations kept per visitor; their oldest (by start) goes first. */
  maxPerVisitor: number;
  ttlMs: number;
}

interface Conversation {
  owner: string;
  exchanges: Exchange[];
  lastUsed: number;
}

/** Conversation memory in this process: bounded in count, count per visitor, length and age. */
export class MemoryConversationStore extends ConversationStore {
  // A Map iterates in insertion order; re-inserting on use keeps the least recently used first.
  private readonly conversations = new Map<string, Conversation>();
  private readonly messageOwners = new Map<string, string>();
  /** Each visitor's conversations, oldest started first. */
  private readonly byOwner = new Map<string, Set<string>>();

  constructor(
    private readonly limits: MemoryLimits,
    private readonly now: () => number = Date.now,
  ) {
    super();
  }

  /** `id` continues a conversation begun elsewhere (in Redis, before an outage) under its own id. */
  create(owner: ConversationOwner, id: string = randomUUID()): Promise<string> {
    this.evictExpired();
    const key = ownerKey(owner);
    this.forget(id);
    const owned = this.byOwner.get(key) ?? new Set<string>();
    for (const oldest of owned) {
      if (owned.size < this.limits.maxPerVisitor) break;
      this.forget(oldest);
    }
    while (this.conversations.size >= this.limits.maxConversations) {
      const oldest = this.conversations.keys().next().value;
      if (oldest === undefined) break;
      this.forget(oldest);
    }
    this.conversations.set(id, { owner: key, exchanges: [], lastUsed: this.now() });
    this.byOwner.set(key, owned.add(id));
    return Promise.resolve(id);
  }

  history(conversationId: string, owner: ConversationOwner): Promise<ChatTurn[] | undefined> {
    const conversation = this.touch(conversationId, owner);
    if (!conversation) return Promise.resolve(undefined);
    return Promise.resolve(
      conversation.exchanges.flatMap((exchange): ChatTurn[] => [
        { role: 'user', content: exchange.question },
        { role: 'assistant', content: exchange.answer },
      ]),
    );
  }

  append(conversationId: string, owner: ConversationOwner, exchange: Exchange): Promise<void> {
    const conversation = this.touch(conversationId, owner);
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

  conversationOf(messageId: string, owner: ConversationOwner): Promise<string | undefined> {
    const conversationId = this.messageOwners.get(messageId);
    return Promise.resolve(
      conversationId && this.touch(conversationId, owner) ? conversationId : undefined,
    );
  }

  /** Whether this store holds the conversation, whoever it belongs to. */
  holds(conversationId: string): boolean {
    const conversation = this.conversations.get(conversationId);
    return conversation !== undefined && !this.expired(conversation);
  }

  /** The owner's live conversation, marked as just used; someone else's is left untouched. */
  private touch(conversationId: string, owner: ConversationOwner): Conversation | undefined {
    const conversation = this.conversations.get(conversationId);
    if (!conversation) return undefined;
    if (this.expired(conversation)) {
      this.forget(conversationId);
      return undefined;
    }
    if (conversation.owner !== ownerKey(owner)) return undefined;
    conversation.lastUsed = this.now();
    this.conversations.delete(conversationId);
    this.conversations.set(conversationId, conversation);
    return conversation;
  }

  private expired(conversation: Conversation): boolean {
    return this.now() - conversation.lastUsed > this.limits.ttlMs;
  }

  private evictExpired(): void {
    for (const [id, conversation] of this.conversations) {
      if (!this.expired(conversation)) break;
      this.forget(id);
    }
  }

  private forget(conversationId: string): void {
    const conversation = this.conversations.get(conversationId);
    if (!conversation) return;
    for (const exchange of conversation.exchanges) this.messageOwners.delete(exchange.messageId);
    this.conversations.delete(conversationId);
    const owned = this.byOwner.get(conversation.owner);
    owned?.delete(conversationId);
    if (owned?.size === 0) this.byOwner.delete(conversation.owner);
  }
}
