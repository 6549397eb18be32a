/**
 * scripts/build-if-stale.mjs, which lets `npm start` and `npm run lorechat` skip building an
 * up-to-date tree: run as a real `node` process against a made-up checkout (--root) whose file
 * times the test sets, in --check mode (it reports, builds nothing).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'build-if-stale.mjs');
const BUILT_AT = new Date('2026-01-01T12:00:00Z');
const EARLIER = new Date('2026-01-01T11:00:00Z');
const LATER = new Date('2026-01-01T13:00:00Z');

const SOURCES = [
  'widget/src/index.ts',
  'widget/src/ui/panel.ts',
  'widget/scripts/build.mjs',
  'widget/package.json',
  'package-lock.json',
  'tsconfig.base.json',
  'backend/tsconfig.build.json',
  'backend/tsconfig.contracts.json',
  'console/src/main.ts',
  'console/src/console.css',
  'console/scripts/build.mjs',
  'console/package.json',
  'backend/src/main.ts',
  'backend/src/ingest/crawler/crawler.ts',
  'packages/contracts/src/index.ts',
];
const OUTPUTS = [
  'widget/dist/widget.js',
  'widget/dist/widget.js.br',
  'console/dist/index.html',
  'console/dist/console.js',
  'console/dist/console.css',
  'backend/dist/.tsbuildinfo',
];

describe('build-if-stale (a made-up checkout, --check)', () => {
  let root: string;
  const write = (file: string, time: Date, content = '') => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), content);
    utimesSync(join(root, file), time, time);
  };
  const check = (...parts: string[]) => {
    const run = spawnSync(process.execPath, [SCRIPT, ...parts, '--check', '--root', root], {
      encoding: 'utf8',
    });
    return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'lorechat-build-if-stale-'));
    for (const file of SOURCES) write(file, EARLIER);
    for (const file of OUTPUTS) write(file, BUILT_AT);
    // Folders change when files are added to them: as old as the sources, like a checkout's.
    for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
      if (entry.isDirectory()) utimesSync(join(entry.parentPath, entry.name), EARLIER, EARLIER);
    }
    utimesSync(root, EARLIER, EARLIER);
    // What the widget build records: the files esbuild read, and what it wrote.
    write(
      'widget/dist/.build-inputs.json',
      BUILT_AT,
      JSON.stringify({
        inputs: ['src/index.ts', 'src/ui/panel.ts'],
        outputs: ['dist/widget.js', 'dist/widget.js.br'],
      }),
    );
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('finds a built tree fresh: nothing to build', () => {
    expect(check()).toEqual({ status: 0, output: '' });
  });

  it('rebuilds the widget when a file its build read changed, and only the widget', () => {
    write('widget/src/ui/panel.ts', LATER);
    expect(check()).toEqual({
      status: 1,
      output: `widget: ${join(root, 'widget/src/ui/panel.ts')} changed`,
    });
    expect(check('backend').status).toBe(0);
  });

  it('rebuilds the widget when its build script, version or dependencies changed', () => {
    for (const file of ['widget/scripts/build.mjs', 'widget/package.json', 'package-lock.json']) {
      write(file, LATER);
      expect(check('widget')).toMatchObject({ status: 1, output: expect.stringContaining(file) });
      write(file, EARLIER);
    }
  });

  it('rebuilds the console when its sources or build changed, and only the console', () => {
    for (const file of [
      'console/src/console.css',
      'console/scripts/build.mjs',
      'package-lock.json',
    ]) {
      write(file, LATER);
      expect(check('console')).toEqual({ status: 1, output: 'console: sources changed' });
      write(file, EARLIER);
    }
    write('console/src/main.ts', LATER);
    expect(check('widget', 'backend').status).toBe(0);
    rmSync(join(root, 'console/dist/console.js'));
    expect(check('console')).toEqual({
      status: 1,
      output: `console: ${join(root, 'console/dist/console.js')} is missing`,
    });
  });

  it('rebuilds the backend when any source, shared package or compiler setting changed', () => {
    for (const file of [
      'backend/src/ingest/crawler/crawler.ts',
      'packages/contracts/src/index.ts',
      'tsconfig.base.json',
      'backend/tsconfig.contracts.json',
    ]) {
      write(file, LATER);
      expect(check()).toEqual({ status: 1, output: 'backend: sources changed' });
      write(file, EARLIER);
    }
    // A new source file counts, and so does a removed one (its folder changed).
    write('backend/src/new-module.ts', LATER);
    expect(check('backend').status).toBe(1);
    rmSync(join(root, 'backend/src/new-module.ts'));
    utimesSync(join(root, 'backend/src'), EARLIER, EARLIER);
    expect(check('backend').status).toBe(0);
    rmSync(join(root, 'backend/src/main.ts'));
    expect(check('backend').status).toBe(1);
  });

  it('builds what was never built or lost an output', () => {
    rmSync(join(root, 'backend/dist'), { recursive: true });
    expect(check('backend')).toEqual({ status: 1, output: 'backend: not built' });
    rmSync(join(root, 'widget/dist/widget.js.br'));
    expect(check('widget')).toEqual({
      status: 1,
      output: `widget: ${join(root, 'widget/dist/widget.js.br')} is missing`,
    });
  });

  it('refuses a part it does not know, saying which it knows', () => {
    expect(check('infra')).toEqual({
      status: 1,
      output: 'build-if-stale: no part named "infra" (widget, console, backend)',
    });
  });
});
