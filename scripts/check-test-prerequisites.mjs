// `npm test` runs this first: the servers the tests drive must be installed, or the suite would end
// in dozens of failures that each say less than one line here. It names the first one missing and
// the command that installs it, and exits 1; it prints nothing when all are there.
import { accessSync, constants, existsSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import console from 'node:console';
import process from 'node:process';

const onPath = (command) =>
  (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, command), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

const postgresInstalled = () => {
  try {
    return readdirSync('/usr/lib/postgresql').some((version) =>
      existsSync(join('/usr/lib/postgresql', version, 'bin', 'initdb')),
    );
  } catch {
    return false;
  }
};

const INSTALL = 'or run .ci/run, which installs and starts everything the tests need';
const checks = [
  [
    () => existsSync('/usr/bin/chromium'),
    `npm test needs Chromium at /usr/bin/chromium for the browser tests: apt-get install -y chromium (${INSTALL}).`,
  ],
  [
    () => onPath('redis-server'),
    `npm test needs redis-server for the Redis tests: apt-get install -y redis-server (${INSTALL}).`,
  ],
  [
    () => Boolean(process.env.LORECHAT_TEST_DATABASE_URL) || postgresInstalled(),
    `npm test needs PostgreSQL for the conversation log's tests: apt-get install -y postgresql (${INSTALL}).`,
  ],
  [
    () => Boolean(process.env.LORECHAT_TEST_DATABASE_URL),
    'npm test needs a PostgreSQL server: export LORECHAT_TEST_DATABASE_URL=$(scripts/test-postgres.sh start /tmp/lorechat-pg), then run npm test again.',
  ],
];

const missing = checks.find(([present]) => !present());
if (missing) {
  console.error(missing[1]);
  process.exitCode = 1;
}
