import { randomUUID } from 'node:crypto';
import { type ChatTurn } from '../../llm/llm-provider';
import { type RedisConnection, unwrap } from '../../redis/redis-connection';
import {
  type ConversationOwner,
  ConversationStore,
  type Exchange,
  ownerKey,
} from './conversation-store';
import { type MemoryLimits } from './memory.store';

/**
 * Conversation memory in Redis, shared by every task: a visitor whose task is replaced (a Spot
 * interruption, a deploy) continues the conversation on another. Per conversation, a marker key
 * holding its owner (it exists from `create`, before any exchange) and a list of exchanges, both
 * expiring after the idle TTL; per answer, a key naming its conversation, for feedback; per
 * visitor, the list of the conversations they started, oldest first, no longer than
 * `maxPerVisitor`. The braces keep a conversation's keys in one cluster slot. Every command may
 * throw: FailoverConversationStore decides what a failure means.
 */
export class RedisConversationStore extends ConversationStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly limits: Pick<MemoryLimits, 'maxTurns' | 'maxPerVisitor' | 'ttlMs'>,
  ) {
    super();
  }

  async create(owner: ConversationOwner): Promise<string> {
    const id = randomUUID();
    const { ttlMs, maxPerVisitor } = this.limits;
    await this.redis.client.set(this.markerKey(id), ownerKey(owner), 'PX', ttlMs);
    const started = this.startedKey(owner);
    // One transaction: concurrent starts by one visitor each see the list they trimmed.
    const [, overflow] = unwrap(
      await this.redis.client
        .multi()
        .rpush(started, id)
        .lrange(started, 0, -maxPerVisitor - 1)
        .ltrim(started, -maxPerVisitor, -1)
        .pexpire(started, ttlMs)
        .exec(),
    );
    const forgotten = overflow as string[];
    if (forgotten.length > 0) {
      // Each conversation's keys live in their own slot: one DEL per conversation.
      const forget = this.redis.client.pipeline();
      for (const old of forgotten) forget.del(this.markerKey(old), this.exchangesKey(old));
      unwrap(await forget.exec());
    }
    return id;
  }

  async history(conversationId: string, owner: ConversationOwner): Promise<ChatTurn[] | undefined> {
    // Only the owner's reading is using it: anyone else's leaves its expiry alone.
    if (!(await this.owns(conversationId, owner))) return undefined;
    const results = await this.redis.client
      .multi()
      .pexpire(this.markerKey(conversationId), this.limits.ttlMs)
      .pexpire(this.exchangesKey(conversationId), this.limits.ttlMs)
      .lrange(this.exchangesKey(conversationId), 0, -1)
      .exec();
    const [marker, , stored] = unwrap(results);
    if (marker !== 1) return undefined;
    const exchanges = (stored as string[]).map((json) => JSON.parse(json) as Exchange);
    if (exchanges.length > 0) {
      // Answers stay rateable for as long as their conversation lives.
      const refresh = this.redis.client.pipeline();
      for (const { messageId } of exchanges) {
        refresh.pexpire(this.answerKey(messageId), this.limits.ttlMs);
      }
      unwrap(await refresh.exec());
    }
    return exchanges.flatMap((exchange): ChatTurn[] => [
      { role: 'user', content: exchange.question },
      { role: 'assistant', content: exchange.answer },
    ]);
  }

  async append(
    conversationId: string,
    owner: ConversationOwner,
    exchange: Exchange,
  ): Promise<void> {
    const { ttlMs, maxTurns } = this.limits;
    // The answer's key is claimed first (NX): an exchange is appended once, even if retried.
    const claimed = await this.redis.client.set(
      this.answerKey(exchange.messageId),
      conversationId,
      'PX',
      ttlMs,
      'NX',
    );
    if (claimed !== 'OK') return;
    unwrap(
      await this.redis.client
        .multi()
        .rpush(this.exchangesKey(conversationId), JSON.stringify(exchange))
        .ltrim(this.exchangesKey(conversationId), -maxTurns, -1)
        .pexpire(this.exchangesKey(conversationId), ttlMs)
        // The conversation may have expired while the answer streamed; it lives on with it.
        .set(this.markerKey(conversationId), ownerKey(owner), 'PX', ttlMs)
        .exec(),
    );
  }

  async conversationOf(messageId: string, owner: ConversationOwner): Promise<string | undefined> {
    const conversationId = await this.redis.client.get(this.answerKey(messageId));
    if (conversationId === null) return undefined;
    return (await this.owns(conversationId, owner)) ? conversationId : undefined;
  }

  private async owns(conversationId: string, owner: ConversationOwner): Promise<boolean> {
    return (await this.redis.client.get(this.markerKey(conversationId))) === ownerKey(owner);
  }

  private markerKey(conversationId: string): string {
    return this.redis.key('conversation', `{${conversationId}}`);
  }

  private exchangesKey(conversationId: string): string {
    return this.redis.key('conversation', `{${conversationId}}`, 'exchanges');
  }

  private answerKey(messageId: string): string {
    return this.redis.key('answer', messageId);
  }

  private startedKey(owner: ConversationOwner): string {
    return this.redis.key('visitor', ownerKey(owner), 'conversations');
  }
}
