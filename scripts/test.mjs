// `npm test`: sets up what the tests need, then runs ESLint and Prettier, the type-check and every
// workspace's tests. On Debian or Ubuntu it installs the servers the tests drive when they are
// missing (Chromium, redis-server, PostgreSQL) with apt-get, as root or through passwordless sudo,
// and starts a throwaway PostgreSQL cluster unless LORECHAT_TEST_DATABASE_URL names one. Where a
// server is missing and cannot be installed, it stops at once with one line naming it and how to
// install it: without it the suite would end in dozens of failures that each say less.
//
//   node scripts/test.mjs              # what `npm test` runs
//   node scripts/test.mjs --dry-run    # says what it would install and start, runs nothing
//   --root DIR                         # looks for /usr/bin/chromium, /usr/lib/postgresql and
//                                      # /etc/os-release under DIR (its tests' made-up machines)
import { spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import console from 'node:console';
import process from 'node:process';

const REPOSITORY = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const dryRun = args.includes('--dry-run');
const root = args.includes('--root') ? (args[args.indexOf('--root') + 1] ?? '/') : '/';
const systemPath = (path) => join(root, path);

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
    const versions = readdirSync(systemPath('/usr/lib/postgresql'));
    return versions.some((version) =>
      existsSync(systemPath(`/usr/lib/postgresql/${version}/bin/initdb`)),
    );
  } catch {
    return false;
  }
};

/** What the tests drive, each with the Debian package that provides it. */
const REQUIREMENTS = [
  {
    name: 'Chromium at /usr/bin/chromium',
    why: 'the browser tests',
    pkg: 'chromium',
    present: () => existsSync(systemPath('/usr/bin/chromium')),
  },
  {
    name: 'redis-server',
    why: 'the Redis tests',
    pkg: 'redis-server',
    present: () => onPath('redis-server'),
  },
  {
    name: 'PostgreSQL',
    why: "the conversation log's tests",
    pkg: 'postgresql',
    // A server named by the variable may run elsewhere; only a local cluster needs the package.
    present: () => Boolean(process.env.LORECHAT_TEST_DATABASE_URL) || postgresInstalled(),
  },
];

const debianLike = () => {
  try {
    const release = readFileSync(systemPath('/etc/os-release'), 'utf8');
    return /^(ID|ID_LIKE)=.*\b(debian|ubuntu)\b/m.test(release);
  } catch {
    return false;
  }
};

/** How apt-get can be run here: directly as root, through passwordless sudo, or not at all. */
const installer = () => {
  if (!debianLike() || !onPath('apt-get')) return undefined;
  if (process.getuid?.() === 0) return [];
  if (onPath('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0) {
    return ['sudo', '-n'];
  }
  return undefined;
};

const run = (command, commandArgs, options = {}) =>
  spawnSync(command, commandArgs, { stdio: 'inherit', ...options }).status ?? 1;

function installMissing() {
  const missing = REQUIREMENTS.filter((requirement) => !requirement.present());
  if (missing.length === 0) return true;
  const packages = missing.map((requirement) => requirement.pkg);
  const prefix = installer();
  if (prefix) {
    const [command, ...rest] = [...prefix, 'apt-get'];
    const install = ['install', '-y', '--no-install-recommends', ...packages];
    if (dryRun) {
      console.log(`would run: ${[command, ...rest, ...install].join(' ')}`);
      return true;
    }
    console.log(`npm test: installing ${packages.join(', ')} for the tests`);
    if (run(command, [...rest, 'update']) === 0) run(command, [...rest, ...install]);
  }
  const stillMissing = REQUIREMENTS.find((requirement) => !requirement.present());
  if (!stillMissing) return true;
  const how = prefix
    ? 'apt-get could not install it'
    : !debianLike()
      ? 'this is not Debian or Ubuntu'
      : !onPath('apt-get')
        ? 'apt-get is not available'
        : 'installing it needs root or passwordless sudo';
  console.error(
    `npm test needs ${stillMissing.name} for ${stillMissing.why} (${how}): sudo apt-get install -y ${stillMissing.pkg}, or your system's ${stillMissing.pkg} package.`,
  );
  return false;
}

/** A throwaway cluster (scripts/test-postgres.sh), unless the variable names a server already. */
function startPostgres() {
  if (process.env.LORECHAT_TEST_DATABASE_URL) return undefined;
  if (dryRun) {
    console.log('would start: scripts/test-postgres.sh start <temporary folder>');
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'lorechat-test-pg-'));
  const started = spawnSync(join(REPOSITORY, 'scripts', 'test-postgres.sh'), ['start', dir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = started.stdout?.trim();
  if (started.status !== 0 || !url) {
    rmSync(dir, { recursive: true, force: true });
    console.error(
      `npm test could not start PostgreSQL for the conversation log's tests (see ${dir}/server.log): set LORECHAT_TEST_DATABASE_URL to a server of yours.`,
    );
    process.exit(1);
  }
  process.env.LORECHAT_TEST_DATABASE_URL = url;
  return () => {
    spawnSync(join(REPOSITORY, 'scripts', 'test-postgres.sh'), ['stop', dir], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  };
}

if (!installMissing()) process.exit(1);
const stopPostgres = startPostgres();
if (dryRun) process.exit(0);

// Ctrl-C reaches npm too (same process group) and ends the step under way; without a handler it
// would also kill this process at once and leave the cluster running. The loop ends instead.
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    stopPostgres?.();
    process.exit(130);
  });
}
const steps = [
  ['run', 'lint'],
  ['run', 'typecheck'],
  ['run', 'test', '--workspaces', '--if-present'],
];
let status = 0;
for (const step of steps) {
  status = run('npm', step, { cwd: REPOSITORY });
  if (status !== 0) break;
}
stopPostgres?.();
process.exit(status);
