import { describeConversationStoreContract } from '../../../test/conversation-store.contract';
import { type ConversationOwner } from './conversation-store';
import { MemoryConversationStore } from './memory.store';

const exchange = (n: number) => ({ messageId: `m${n}`, question: `q${n}`, answer: `a${n}` });
const visitor = (n: number): ConversationOwner => ({ siteKey: 'docs', visitorId: `v${n}` });
// lru-cache reads a start time of 0 as "no TTL", so test clocks start later, as a real one does.
const start = 1_000_000;

describeConversationStoreContract('MemoryConversationStore', (limits) =>
  Promise.resolve(
    new MemoryConversationStore({ ...limits, maxConversations: 1000, ttlMs: 60_000 }),
  ),
);

describe('MemoryConversationStore', () => {
  it('forgets the least recently used conversation when full', async () => {
    const store = new MemoryConversationStore({
      maxTurns: 5,
      maxConversations: 2,
      maxPerVisitor: 10,
      ttlMs: 60_000,
    });
    const first = await store.create(visitor(1));
    const second = await store.create(visitor(2));
    await store.history(first, visitor(1));
    const third = await store.create(visitor(3));
    expect(await store.history(second, visitor(2))).toBeUndefined();
    expect(await store.history(first, visitor(1))).toEqual([]);
    expect(await store.history(third, visitor(3))).toEqual([]);
  });

  it("does not count another visitor's reading as use", async () => {
    const store = new MemoryConversationStore({
      maxTurns: 5,
      maxConversations: 2,
      maxPerVisitor: 10,
      ttlMs: 60_000,
    });
    const first = await store.create(visitor(1));
    await store.create(visitor(2));
    // A stranger probing the first conversation's id does not keep it alive.
    await store.history(first, visitor(2));
    await store.create(visitor(3));
    expect(await store.history(first, visitor(1))).toBeUndefined();
  });

  it('expires idle conversations', async () => {
    let now = start;
    const store = new MemoryConversationStore(
      { maxTurns: 5, maxConversations: 10, maxPerVisitor: 10, ttlMs: 1000 },
      () => now,
    );
    const id = await store.create(visitor(1));
    await store.append(id, visitor(1), exchange(1));
    now = start + 1500;
    expect(await store.history(id, visitor(1))).toBeUndefined();
    expect(await store.conversationOf('m1', visitor(1))).toBeUndefined();
    expect(store.holds(id)).toBe(false);
  });

  it("counts a visitor's expired conversations out of their limit", async () => {
    let now = start;
    const store = new MemoryConversationStore(
      { maxTurns: 5, maxConversations: 10, maxPerVisitor: 2, ttlMs: 1000 },
      () => now,
    );
    await store.create(visitor(1));
    now = start + 600;
    const kept = await store.create(visitor(1));
    now = start + 1200; // the first has expired, the second has not
    const third = await store.create(visitor(1));
    expect(await store.history(kept, visitor(1))).toEqual([]);
    expect(await store.history(third, visitor(1))).toEqual([]);
  });
});
