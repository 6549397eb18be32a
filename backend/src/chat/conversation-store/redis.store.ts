import { randomUUID } from 'node:crypto';
import { type ChatTurn } from '../../llm/llm-provider';
import { type RedisConnection, unwrap } from '../../redis/redis-connection';
import { ConversationStore, type Exchange } from './conversation-store';
import { type MemoryLimits } from './memory.store';

/**
 * Conversation memory in Redis, shared by every task: a visitor whose task is replaced (a Spot
 * interruption, a deploy) continues the conversation on another. Per conversation, a marker key
 * (it exists from `create`, before any exchange) and a list of exchanges, both expiring after the
 * idle TTL; per answer, a key naming its conversation, for feedback. The braces keep a
 * conversation's keys in one cluster slot. Every command may throw: FailoverConversationStore
 * decides what a failure means.
 */
export class RedisConversationStore extends ConversationStore {
  constructor(
    private readonly redis: RedisConnection,
    private readonly limits: Pick<MemoryLimits, 'maxTurns' | 'ttlMs'>,
  ) {
    super();
  }

  async create(): Promise<string> {
    const id = randomUUID();
    await this.redis.client.set(this.markerKey(id), '1', 'PX', this.limits.ttlMs);
    return id;
  }

  async history(conversationId: string): Promise<ChatTurn[] | undefined> {
    // Reading a conversation is using it: both keys get a fresh TTL in the same round trip.
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

  async append(conversationId: string, exchange: Exchange): Promise<void> {
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
        .set(this.markerKey(conversationId), '1', 'PX', ttlMs)
        .exec(),
    );
  }

  async conversationOf(messageId: string): Promise<string | undefined> {
    const conversationId = await this.redis.client.get(this.answerKey(messageId));
    if (conversationId === null) return undefined;
    const alive = await this.redis.client.exists(this.markerKey(conversationId));
    return alive === 1 ? conversationId : undefined;
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
}
