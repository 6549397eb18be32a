import { randomUUID } from 'node:crypto';
import { LRUCache } from 'lru-cache';
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
}

/** Conversation memory in this process: bounded in count, count per visitor, length and age. */
export class MemoryConversationStore extends ConversationStore {
  /** Idle ones expire; past the count, the least recently used go first. */
  private readonly conversations: LRUCache<string, Conversation>;
  private readonly messageOwners = new Map<string, string>();
  /** Each visitor's conversations, oldest started first. */
  private readonly byOwner = new Map<string, Set<string>>();

  /** `now` is the clock idleness is measured on (lru-cache's `performance.now()` by default). */
  constructor(
    private readonly limits: MemoryLimits,
    now?: () => number,
  ) {
    super();
    this.conversations = new LRUCache<string, Conversation>({
      max: limits.maxConversations,
      ttl: limits.ttlMs,
      // Only the owner's reading counts as use (`touch`), and it restarts the idle time.
      updateAgeOnGet: true,
      // Read the clock on every check: its default 1 ms memo would misread a test's clock.
      ttlResolution: 0,
      ...(now && { perf: { now } }),
      // However a conversation goes (evicted, expired, replaced), its indexes go with it.
      dispose: (conversation, id) => this.unindex(id, conversation),
    });
  }

  /** `id` continues a conversation begun elsewhere (in Redis, before an outage) under its own id. */
  create(owner: ConversationOwner, id: string = randomUUID()): Promise<string> {
    const key = ownerKey(owner);
    this.conversations.delete(id);
    const owned = this.byOwner.get(key) ?? new Set<string>();
    // Expired conversations do not count against the visitor's limit.
    for (const started of owned) {
      if (!this.conversations.has(started)) this.conversations.delete(started);
    }
    for (const oldest of owned) {
      if (owned.size < this.limits.maxPerVisitor) break;
      this.conversations.delete(oldest);
    }
    this.conversations.set(id, { owner: key, exchanges: [] });
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
    return this.conversations.has(conversationId);
  }

  /** The owner's live conversation, marked as just used; someone else's is left untouched. */
  private touch(conversationId: string, owner: ConversationOwner): Conversation | undefined {
    const conversation = this.conversations.peek(conversationId);
    if (!conversation) {
      // An expired conversation is still held until something drops it: drop it now.
      this.conversations.delete(conversationId);
      return undefined;
    }
    if (conversation.owner !== ownerKey(owner)) return undefined;
    return this.conversations.get(conversationId);
  }

  private unindex(conversationId: string, conversation: Conversation): void {
    for (const exchange of conversation.exchanges) this.messageOwners.delete(exchange.messageId);
    const owned = this.byOwner.get(conversation.owner);
    owned?.delete(conversationId);
    if (owned?.size === 0) this.byOwner.delete(conversation.owner);
  }
}
