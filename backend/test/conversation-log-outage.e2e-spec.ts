/**
 * A conversation log outage never fails an answer: the application logs to a real PostgreSQL
 * server of this test's own (Debian's `postgresql`, via scripts/test-postgres.sh), which the test
 * stops mid-run and starts again.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { admin, E2E_ADMIN_TOKEN, logged } from './support/admin';
import { ChatClient, type RunningApp, startApp } from './support/app';
import { ownServer } from './support/postgres';

jest.setTimeout(90_000);

describe('conversation log outage (PostgreSQL stopped mid-run)', () => {
  let dir: string;
  let running: RunningApp | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lorechat-pg-outage-'));
  });

  afterEach(async () => {
    await running?.stop();
    running = undefined;
    try {
      ownServer.stop(dir);
    } catch {
      // Already stopped by the test.
    }
    rmSync(dir, { recursive: true, force: true });
  });

  const turnsLogged = (app: RunningApp, count: number) =>
    logged(
      app.app,
      (store) => store.listConversations({ filter: {}, limit: 100 }),
      (page) => page.items.reduce((total, item) => total + item.turns.length, 0) >= count,
      20_000,
    );

  it('answers while the database is down, and writes what it kept once it is back', async () => {
    const databaseUrl = ownServer.start(dir);
    running = await startApp({
      ANALYTICS_STORE: 'postgres',
      DATABASE_URL: databaseUrl,
      ADMIN_TOKEN: E2E_ADMIN_TOKEN,
    });
    const client = await ChatClient.connect(running.url);
    await client.askAndWait({ text: 'How do I deploy to production?' });
    await turnsLogged(running, 1);

    ownServer.stop(dir);
    const during = [
      await client.askAndWait({ text: 'How do I tear down the stack?' }),
      await client.askAndWait({ text: 'Where does the script tag go?' }),
    ];
    for (const answer of during) {
      expect(answer.error).toBeUndefined();
      expect(answer.done?.cancelled).toBe(false);
      expect(answer.text).toMatch(/\[1\]/);
    }
    const unavailable = await admin(running.url).get<{ error: { code: string } }>('/conversations');
    expect(unavailable.status).toBe(503);
    expect(unavailable.body.error.code).toBe('unavailable');

    ownServer.start(dir);
    const { items } = await turnsLogged(running, 3);
    expect(items.flatMap((item) => item.turns.map((turn) => turn.question)).sort()).toEqual([
      'How do I deploy to production?',
      'How do I tear down the stack?',
      'Where does the script tag go?',
    ]);
    client.close();
  });

  it('starts and answers with the database down, and logs once it comes up', async () => {
    // Create the cluster (and its port), then stop it before the application starts.
    const databaseUrl = ownServer.start(dir);
    ownServer.stop(dir);
    running = await startApp({ ANALYTICS_STORE: 'postgres', DATABASE_URL: databaseUrl });
    const client = await ChatClient.connect(running.url);
    const answer = await client.askAndWait({ text: 'How do I deploy to production?' });
    expect(answer.error).toBeUndefined();
    ownServer.start(dir);
    await turnsLogged(running, 1);
    client.close();
  });
});
