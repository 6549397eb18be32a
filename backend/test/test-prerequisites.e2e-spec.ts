/**
 * `npm test` first runs scripts/check-test-prerequisites.mjs: on a machine without a server the
 * tests need, the suite stops at once with one line naming it and how to install it. Run here as a
 * real process with a PATH that lacks redis-server, and without the PostgreSQL variable.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'check-test-prerequisites.mjs');

function check(env: NodeJS.ProcessEnv): { status: number | null; stderr: string } {
  const result = spawnSync(process.execPath, [SCRIPT], { env, encoding: 'utf8' });
  return { status: result.status, stderr: result.stderr };
}

describe('the test prerequisites check', () => {
  it('names a missing redis-server in one line, with the command that installs it', () => {
    const { status, stderr } = check({ PATH: '/nonexistent', LORECHAT_TEST_DATABASE_URL: 'x' });
    expect(status).toBe(1);
    expect(stderr).toBe(
      'npm test needs redis-server for the Redis tests: apt-get install -y redis-server (or run .ci/run, which installs and starts everything the tests need).\n',
    );
  });

  it('names the PostgreSQL server to start when its variable is not set', () => {
    const { status, stderr } = check({ PATH: process.env.PATH ?? '' });
    expect(status).toBe(1);
    expect(stderr).toMatch(/^npm test needs (PostgreSQL|a PostgreSQL server)[^\n]*\n$/);
    expect(stderr).toContain('postgres');
  });

  it('passes silently when everything is there', () => {
    expect(
      check({ PATH: process.env.PATH ?? '', LORECHAT_TEST_DATABASE_URL: 'postgres://x' }),
    ).toEqual({ status: 0, stderr: '' });
  });
});
