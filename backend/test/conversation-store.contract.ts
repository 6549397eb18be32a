/**
 * The behaviour every ConversationStore must have, as one jest suite to run against each
 * implementation:
 *
 *   describeConversationStoreContract('MemoryConversationStore', async (limits) => store);
 *
 * `open` returns an empty store with the given limits (and no limit on the total count).
 */
import {
  type ConversationOwner,
  type ConversationStore,
} from '../src/chat/conversation-store/conversation-store';

export interface ContractLimits {
  maxTurns: number;
  maxPerVisitor: number;
}

export type OpenConversationStore = (limits: ContractLimits) => Promise<ConversationStore>;

const exchange = (n: number) => ({ messageId: `m${n}`, question: `q${n}`, answer: `a${n}` });

const alice: ConversationOwner = { siteKey: 'docs', visitorId: 'visitor-a' };
const bob: ConversationOwner = { siteKey: 'docs', visitorId: 'visitor-b' };
/** Alice's visitor id on another site: another visitor. */
const aliceElsewhere: ConversationOwner = { siteKey: 'shop', visitorId: 'visitor-a' };
/** Ids and site keys are joined without ambiguity: this is neither alice nor anyone else. */
const forged: ConversationOwner = { siteKey: 'docs", "visitor-a', visitorId: '' };

export function describeConversationStoreContract(name: string, open: OpenConversationStore): void {
  describe(`${name} (ConversationStore contract)`, () => {
    it('keeps the latest turns, each answer once, and finds an answer’s conversation', async () => {
      const store = await open({ maxTurns: 2, maxPerVisitor: 10 });
      const id = await store.create(alice);
      expect(await store.history(id, alice)).toEqual([]);
      for (const n of [1, 2, 3]) await store.append(id, alice, exchange(n));
      await store.append(id, alice, exchange(3));
      expect(await store.history(id, alice)).toEqual([
        { role: 'user', content: 'q2' },
        { role: 'assistant', content: 'a2' },
        { role: 'user', content: 'q3' },
        { role: 'assistant', content: 'a3' },
      ]);
      expect(await store.conversationOf('m3', alice)).toBe(id);
      expect(await store.conversationOf('unknown', alice)).toBeUndefined();
      expect(await store.history('00000000-0000-4000-8000-000000000000', alice)).toBeUndefined();
    });

    it('shows a conversation and its answers to no one but the visitor who started it', async () => {
      const store = await open({ maxTurns: 5, maxPerVisitor: 10 });
      const id = await store.create(alice);
      await store.append(id, alice, exchange(1));
      for (const stranger of [bob, aliceElsewhere, forged]) {
        expect(await store.history(id, stranger)).toBeUndefined();
        expect(await store.conversationOf('m1', stranger)).toBeUndefined();
      }
      // Nothing a stranger tried changed it: it is still alice's, whole.
      expect(await store.history(id, alice)).toEqual([
        { role: 'user', content: 'q1' },
        { role: 'assistant', content: 'a1' },
      ]);
      expect(await store.conversationOf('m1', alice)).toBe(id);
    });

    it("forgets a visitor's oldest conversation past their limit, and no one else's", async () => {
      const store = await open({ maxTurns: 5, maxPerVisitor: 3 });
      const bobs = await store.create(bob);
      await store.append(bobs, bob, exchange(0));
      const started: string[] = [];
      for (let n = 1; n <= 5; n++) {
        const id = await store.create(alice);
        await store.append(id, alice, exchange(n));
        started.push(id);
      }
      const alive = await Promise.all(started.map((id) => store.history(id, alice)));
      expect(alive.map((history) => history !== undefined)).toEqual([
        false,
        false,
        true,
        true,
        true,
      ]);
      expect(await store.conversationOf('m5', alice)).toBe(started[4]);
      expect(await store.history(bobs, bob)).toHaveLength(2);
      expect(await store.conversationOf('m0', bob)).toBe(bobs);
    });
  });
}
