/**
 * The conversation log contract against a real PostgreSQL server (Debian's, see
 * support/postgres.ts), one fresh database per test.
 */
import { PostgresConversationLogStore } from '../src/analytics/postgres.conversation-log.store';
import { describeConversationLogContract } from './conversation-log.contract';
import { freshDatabase } from './support/postgres';

describeConversationLogContract('PostgresConversationLogStore', async () => {
  const database = await freshDatabase();
  return { store: new PostgresConversationLogStore(database.url), cleanup: database.drop };
});

describe('PostgresConversationLogStore', () => {
  it('creates its tables once when several tasks start at the same time', async () => {
    const database = await freshDatabase();
    const stores = [1, 2, 3, 4].map(() => new PostgresConversationLogStore(database.url));
    try {
      await Promise.all(stores.map((store) => store.init()));
      expect((await stores[0]?.listConversations({ filter: {}, limit: 1 }))?.items).toEqual([]);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await database.drop();
    }
  });

  it('fails a query clearly when the server cannot be reached, and works once it can', async () => {
    // Port 1 on loopback: nothing listens there, the connection is refused at once.
    const store = new PostgresConversationLogStore('postgres://postgres@127.0.0.1:1/none', {
      connectionTimeoutMillis: 1000,
    });
    await expect(store.init()).rejects.toThrow(/ECONNREFUSED|connect/);
    await store.close();
  });
});
