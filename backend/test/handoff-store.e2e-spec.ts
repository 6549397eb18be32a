/**
 * The handoff outbox's store, the same contract for both: SQLite in a temporary folder, and a real
 * PostgreSQL server (Debian's, see support/postgres.ts) with a fresh database per test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Handoff } from '../src/handoff/handoff-record';
import { type HandoffStore } from '../src/handoff/handoff.store';
import { PostgresHandoffStore } from '../src/handoff/postgres.handoff.store';
import { SqliteHandoffStore } from '../src/handoff/sqlite.handoff.store';
import { freshDatabase } from './support/postgres';

const T0 = 1_800_000_000_000;
const LEASE = 60_000;

function handoff(id: string, createdAt = T0, visitorId = 'visitor-1'): Handoff {
  return {
    id,
    siteKey: 'demo',
    visitorId,
    conversationId: 'conversation-1',
    email: 'visitor@example.org',
    message: `Please call me back about ${id}.`,
    page: { url: 'https://example.com/pricing', title: 'Pricing' },
    locale: 'en',
    transcript: [{ question: 'What does it cost?', answer: 'It is free [1].' }],
    createdAt,
  };
}

const STORES: [string, () => Promise<{ store: HandoffStore; cleanup(): Promise<void> }>][] = [
  [
    'SqliteHandoffStore',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'lorechat-handoffs-'));
      return Promise.resolve({
        store: new SqliteHandoffStore(join(dir, 'handoffs.sqlite')),
        cleanup: () => Promise.resolve(rmSync(dir, { recursive: true, force: true })),
      });
    },
  ],
  [
    'PostgresHandoffStore',
    async () => {
      const database = await freshDatabase();
      return { store: new PostgresHandoffStore(database.url), cleanup: database.drop };
    },
  ],
];

describe.each(STORES)('%s', (_name, open) => {
  let store: HandoffStore;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ store, cleanup } = await open());
    await store.init();
  });
  afterEach(async () => {
    await store.close();
    await cleanup();
  });

  it('keeps a handoff with one delivery per channel, due at once, each claimed by one caller until its lease ends', async () => {
    await store.add(handoff('h1'), ['webhook', 'email']);
    const claimed = await store.claimDue(T0, T0 + LEASE, 10);
    expect(claimed.map(({ channel, attempts }) => [channel, attempts]).sort()).toEqual([
      ['email', 0],
      ['webhook', 0],
    ]);
    expect(claimed[0]?.handoff).toEqual(handoff('h1'));
    // Claimed: nobody else gets it meanwhile.
    expect(await store.claimDue(T0 + 1000, T0 + 1000 + LEASE, 10)).toEqual([]);
    // A claimer that died: the deliveries come back once the lease is over.
    expect(await store.claimDue(T0 + LEASE, T0 + 2 * LEASE, 10)).toHaveLength(2);
  });

  it('retries a failed delivery at its time, with the error kept; a delivered one never comes back', async () => {
    await store.add(handoff('h1'), ['webhook', 'email']);
    await store.claimDue(T0, T0 + LEASE, 10);
    await store.failed('h1', 'webhook', T0 + 30_000, 'the webhook answered HTTP 503');
    await store.delivered('h1', 'email', T0 + 10);

    expect(await store.claimDue(T0 + 29_000, T0 + 29_000 + LEASE, 10)).toEqual([]);
    const retried = await store.claimDue(T0 + 30_000, T0 + 30_000 + LEASE, 10);
    expect(retried.map(({ channel, attempts }) => [channel, attempts])).toEqual([['webhook', 1]]);

    const [listed] = (await store.list(10)).items;
    expect(listed?.deliveries).toEqual([
      { channel: 'email', attempts: 1, deliveredAt: T0 + 10 },
      {
        channel: 'webhook',
        attempts: 1,
        nextAttemptAt: T0 + 30_000 + LEASE,
        lastError: 'the webhook answered HTTP 503',
      },
    ]);
    await store.delivered('h1', 'webhook', T0 + 30_001);
    expect(await store.claimDue(T0 + 10 * LEASE, T0 + 11 * LEASE, 10)).toEqual([]);
    expect((await store.list(10)).items[0]?.deliveries.map((d) => d.deliveredAt)).toEqual([
      T0 + 10,
      T0 + 30_001,
    ]);
  });

  it('claims at most the batch asked for, oldest first', async () => {
    for (let index = 0; index < 5; index++)
      await store.add(handoff(`h${index}`, T0 + index), ['email']);
    const first = await store.claimDue(T0 + 10, T0 + LEASE, 3);
    expect(first.map((due) => due.handoff.id)).toEqual(['h0', 'h1', 'h2']);
    const rest = await store.claimDue(T0 + 10, T0 + LEASE, 3);
    expect(rest.map((due) => due.handoff.id)).toEqual(['h3', 'h4']);
  });

  it('lists handoffs newest first, a page at a time', async () => {
    for (let index = 0; index < 5; index++)
      await store.add(handoff(`h${index}`, T0 + index), ['email']);
    const first = await store.list(2);
    expect(first.items.map((item) => item.id)).toEqual(['h4', 'h3']);
    const second = await store.list(2, first.next);
    expect(second.items.map((item) => item.id)).toEqual(['h2', 'h1']);
    const last = await store.list(2, second.next);
    expect(last.items.map((item) => item.id)).toEqual(['h0']);
    expect(last.next).toBeUndefined();
  });

  it('purges old handoffs every channel delivered, and keeps any still waiting', async () => {
    await store.add(handoff('old-done', T0), ['email']);
    await store.add(handoff('old-waiting', T0 + 1), ['email', 'webhook']);
    await store.add(handoff('new-done', T0 + 100_000), ['email']);
    await store.delivered('old-done', 'email', T0 + 5);
    await store.delivered('old-waiting', 'email', T0 + 5);
    await store.delivered('new-done', 'email', T0 + 100_005);

    expect(await store.purgeDeliveredBefore(T0 + 50_000)).toBe(1);
    expect((await store.list(10)).items.map((item) => item.id)).toEqual([
      'new-done',
      'old-waiting',
    ]);
  });

  it("deletes a visitor's handoffs", async () => {
    await store.add(handoff('mine', T0, 'visitor-1'), ['email']);
    await store.add(handoff('theirs', T0, 'visitor-2'), ['email']);
    expect(await store.deleteVisitor('visitor-1')).toBe(1);
    expect((await store.list(10)).items.map((item) => item.id)).toEqual(['theirs']);
    expect((await store.claimDue(T0, T0 + LEASE, 10)).map((due) => due.handoff.id)).toEqual([
      'theirs',
    ]);
  });
});

describe('PostgresHandoffStore shared by several tasks', () => {
  it('gives each due delivery to one task only when they claim at the same time', async () => {
    const database = await freshDatabase();
    const stores = [1, 2, 3].map(() => new PostgresHandoffStore(database.url));
    try {
      await Promise.all(stores.map((store) => store.init()));
      for (let index = 0; index < 30; index++) {
        await stores[0]?.add(handoff(`h${index}`, T0 + index), ['email']);
      }
      const claims = await Promise.all(
        stores.map((store) => store.claimDue(T0 + 100, T0 + LEASE, 12)),
      );
      const ids = claims.flat().map((due) => due.handoff.id);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(30);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await database.drop();
    }
  });
});
