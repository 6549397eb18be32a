/**
 * The PostgreSQL server the tests use: Debian's real `postgresql`, started by `npm test`
 * (scripts/test.mjs, with scripts/test-postgres.sh) and named by LORECHAT_TEST_DATABASE_URL. Without it the PostgreSQL
 * tests fail, saying how to start one; they never skip silently.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Client } from 'pg';

export const TEST_DATABASE_VARIABLE = 'LORECHAT_TEST_DATABASE_URL';
export const TEST_POSTGRES_SCRIPT = join(
  __dirname,
  '..',
  '..',
  '..',
  'scripts',
  'test-postgres.sh',
);

export function testServerUrl(): string {
  const url = process.env[TEST_DATABASE_VARIABLE];
  if (!url) {
    throw new Error(
      `${TEST_DATABASE_VARIABLE} is not set: these tests need a PostgreSQL server. Start one with ` +
        `\`export ${TEST_DATABASE_VARIABLE}=$(scripts/test-postgres.sh start /tmp/lorechat-pg)\` ` +
        '(needs `apt-get install postgresql`); `npm test` does this itself.',
    );
  }
  return url;
}

/** A new, empty database on the test server, and how to drop it. */
export async function freshDatabase(
  serverUrl = testServerUrl(),
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `lorechat_test_${randomBytes(6).toString('hex')}`;
  await withClient(serverUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await withClient(serverUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
      );
    },
  };
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/**
 * A PostgreSQL server of the test's own, in `dir`, that the test can stop and start again (an
 * outage of the real server, not a simulated one). Uses the same script as `npm test`.
 */
export const ownServer = {
  start: (dir: string): string =>
    execFileSync(TEST_POSTGRES_SCRIPT, ['start', dir], { encoding: 'utf8' }).trim(),
  stop: (dir: string): void => {
    execFileSync(TEST_POSTGRES_SCRIPT, ['stop', dir], { stdio: 'ignore' });
  },
};
