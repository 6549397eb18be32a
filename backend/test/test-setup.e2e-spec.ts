/**
 * scripts/test.mjs, which `npm test` runs: it installs the servers the tests need when it can,
 * starts PostgreSQL, or stops at once with one line. Run here as a real `node` process in
 * --dry-run mode (it says what it would install and start, and runs neither) against made-up
 * machines: a --root folder holding /etc/os-release, /usr/bin/chromium and PostgreSQL's initdb
 * as the test chooses, and a PATH of stand-in commands that are found but never run.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'test.mjs');

interface Machine {
  os?: 'debian' | 'ubuntu' | 'fedora';
  chromium?: boolean;
  postgres?: boolean;
  /** Commands on PATH: redis-server, apt-get, sudo (passwordless: `sudo -n true` succeeds). */
  commands?: ('redis-server' | 'apt-get' | 'sudo')[];
}

let machines: string[] = [];
afterEach(() => {
  for (const dir of machines) rmSync(dir, { recursive: true, force: true });
  machines = [];
});

function plan(machine: Machine, env: NodeJS.ProcessEnv = {}) {
  const root = mkdtempSync(join(tmpdir(), 'lorechat-machine-'));
  machines.push(root);
  const file = (path: string, text: string, mode = 0o644) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
    chmodSync(join(root, path), mode);
  };
  if (machine.os) {
    const like = machine.os === 'ubuntu' ? 'ID=ubuntu\nID_LIKE=debian\n' : `ID=${machine.os}\n`;
    file('etc/os-release', like);
  }
  if (machine.chromium) file('usr/bin/chromium', '#!/bin/sh\n', 0o755);
  if (machine.postgres) file('usr/lib/postgresql/15/bin/initdb', '#!/bin/sh\n', 0o755);
  for (const command of machine.commands ?? [])
    file(`bin/${command}`, '#!/bin/sh\nexit 0\n', 0o755);
  const result = spawnSync(process.execPath, [SCRIPT, '--dry-run', '--root', root], {
    env: { PATH: join(root, 'bin'), ...env },
    encoding: 'utf8',
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const everything: Machine = {
  os: 'debian',
  chromium: true,
  postgres: true,
  commands: ['redis-server', 'apt-get'],
};

describe('npm test on a fresh machine', () => {
  it('installs every missing server with one apt-get on Debian, then starts PostgreSQL', () => {
    const { status, stdout, stderr } = plan({ os: 'debian', commands: ['apt-get', 'sudo'] });
    expect({ status, stderr }).toEqual({ status: 0, stderr: '' });
    expect(stdout).toMatch(
      /^would run: (sudo -n )?apt-get install -y --no-install-recommends chromium redis-server postgresql\nwould start: scripts\/test-postgres\.sh start/,
    );
  });

  it('installs only what is missing, on Ubuntu too', () => {
    const { status, stdout } = plan({
      ...everything,
      os: 'ubuntu',
      commands: ['apt-get', 'sudo'],
    });
    expect(status).toBe(0);
    expect(stdout).toMatch(
      /^would run: (sudo -n )?apt-get install -y --no-install-recommends redis-server\n/,
    );
  });

  it('proceeds without installing or starting anything when all is there and the database is named', () => {
    expect(plan(everything, { LORECHAT_TEST_DATABASE_URL: 'postgres://db.test/x' })).toEqual({
      status: 0,
      stdout: '',
      stderr: '',
    });
  });

  it('starts its own PostgreSQL cluster when no database is named', () => {
    const { status, stdout } = plan(everything);
    expect(status).toBe(0);
    expect(stdout).toBe('would start: scripts/test-postgres.sh start <temporary folder>\n');
  });

  it('stops at once with one line naming a server it cannot install, and how to install it', () => {
    const { status, stdout, stderr } = plan({ ...everything, commands: ['apt-get'], os: 'fedora' });
    expect({ status, stdout }).toEqual({ status: 1, stdout: '' });
    expect(stderr).toBe(
      "npm test needs redis-server for the Redis tests (this is not Debian or Ubuntu): sudo apt-get install -y redis-server, or your system's redis-server package.\n",
    );
  });

  it('says apt-get is missing rather than failing on the browser tests later', () => {
    const { status, stderr } = plan({ ...everything, chromium: false, commands: ['redis-server'] });
    expect(status).toBe(1);
    expect(stderr).toBe(
      "npm test needs Chromium at /usr/bin/chromium for the browser tests (apt-get is not available): sudo apt-get install -y chromium, or your system's chromium package.\n",
    );
  });

  it('does not need the PostgreSQL package when the variable names a server elsewhere', () => {
    const { status, stdout, stderr } = plan(
      { ...everything, postgres: false, commands: ['redis-server'] },
      { LORECHAT_TEST_DATABASE_URL: 'postgres://db.test/x' },
    );
    expect({ status, stdout, stderr }).toEqual({ status: 0, stdout: '', stderr: '' });
  });
});
