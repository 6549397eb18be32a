import { MemoryConversationStore } from './memory.store';

const exchange = (n: number) => ({ messageId: `m${n}`, question: `q${n}`, answer: `a${n}` });

describe('MemoryConversationStore', () => {
  it('keeps the latest turns, dropping the oldest first, and never the same answer twice', async () => {
    const store = new MemoryConversationStore({ maxTurns: 2, maxConversations: 10, ttlMs: 60_000 });
    const id = await store.create();
    for (const n of [1, 2, 3]) await store.append(id, exchange(n));
    await store.append(id, exchange(3));
    expect(await store.history(id)).toEqual([
      { role: 'user', content: 'q2' },
      { role: 'assistant', content: 'a2' },
      { role: 'user', content: 'q3' },
      { role: 'assistant', content: 'a3' },
    ]);
    expect(await store.conversationOf('m3')).toBe(id);
    expect(await store.conversationOf('m1')).toBeUndefined();
  });

  it('forgets the least recently used conversation when full', async () => {
    const store = new MemoryConversationStore({ maxTurns: 5, maxConversations: 2, ttlMs: 60_000 });
    const first = await store.create();
    const second = await store.create();
    await store.history(first);
    const third = await store.create();
    expect(await store.history(second)).toBeUndefined();
    expect(await store.history(first)).toEqual([]);
    expect(await store.history(third)).toEqual([]);
  });

  it('expires idle conversations', async () => {
    let now = 0;
    const store = new MemoryConversationStore(
      { maxTurns: 5, maxConversations: 10, ttlMs: 1000 },
      () => now,
    );
    const id = await store.create();
    await store.append(id, exchange(1));
    now = 1500;
    expect(await store.history(id)).toBeUndefined();
    expect(await store.conversationOf('m1')).toBeUndefined();
    expect(await store.history('never-created')).toBeUndefined();
  });
});
