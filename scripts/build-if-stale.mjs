/**
 * Builds the widget, the console and the backend only when a source is newer than their build, so
 * that `npm start` and `npm run lorechat` on a built tree start at once:
 *
 *   node scripts/build-if-stale.mjs [widget] [console] [backend] [--check] [--root DIR]
 *
 * Names the parts to consider (default all three). A stale part is built with its own `npm run build`
 * (the backend's is TypeScript's incremental `tsc -b`, which recompiles only what changed).
 * --check builds nothing: it prints what is stale and exits 1 if anything is. --root points at
 * another checkout (the tests).
 *
 * Hand-written rather than left to `tsc -b` and esbuild alone: merely loading TypeScript to hear
 * "up to date" cost half a second of CPU per start, a sixth of the start-up budget. The checks are
 * conservative (any newer file under the sources counts), so a part they call fresh is one its
 * build would also skip.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, utimesSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import console from 'node:console';
import process from 'node:process';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { check: { type: 'boolean', default: false }, root: { type: 'string' } },
});
const root = resolve(values.root ?? join(dirname(fileURLToPath(import.meta.url)), '..'));
const parts = positionals.length > 0 ? positionals : ['widget', 'console', 'backend'];

const mtime = (file) => statSync(file).mtimeMs;

/**
 * The newest modification time under `dir`, outputs and dependencies aside. Folders count too: a
 * folder changes when a file in it is added, removed or renamed.
 */
function newestUnder(dir) {
  if (!existsSync(dir)) return 0;
  let newest = mtime(dir);
  for (const entry of readdirSync(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    if (/(^|[\\/])(node_modules|dist)([\\/]|$)/.test(path)) continue;
    newest = Math.max(newest, mtime(path));
  }
  return newest;
}

/** Why a part needs building, or undefined when its build is newer than everything it reads. */
const STALE = {
  widget() {
    // The widget build records every file esbuild read, and what it wrote.
    const stampFile = join(root, 'widget', 'dist', '.build-inputs.json');
    if (!existsSync(stampFile)) return 'not built';
    const { inputs, outputs } = JSON.parse(readFileSync(stampFile, 'utf8'));
    const widget = (file) => resolve(root, 'widget', file);
    const missing = outputs.map(widget).find((file) => !existsSync(file));
    if (missing) return `${missing} is missing`;
    const built = Math.min(...outputs.map((file) => mtime(widget(file))));
    const read = [
      ...inputs.map(widget),
      join(root, 'widget', 'scripts', 'build.mjs'),
      join(root, 'widget', 'package.json'),
      join(root, 'package-lock.json'),
    ];
    const newer = read.find((file) => !existsSync(file) || mtime(file) > built);
    return newer ? `${newer} changed` : undefined;
  },
  console() {
    // The console is three files built from console/src by its own script.
    const outputs = ['index.html', 'console.js', 'console.css'].map((file) =>
      join(root, 'console', 'dist', file),
    );
    const missing = outputs.find((file) => !existsSync(file));
    if (missing) return `${missing} is missing`;
    const built = Math.min(...outputs.map(mtime));
    const read = [
      newestUnder(join(root, 'console', 'src')),
      ...['console/scripts/build.mjs', 'console/package.json', 'package-lock.json']
        .map((file) => join(root, file))
        .filter(existsSync)
        .map(mtime),
    ];
    return Math.max(...read) > built ? 'sources changed' : undefined;
  },
  backend() {
    const buildInfo = join(root, 'backend', 'dist', '.tsbuildinfo');
    if (!existsSync(buildInfo)) return 'not built';
    const built = mtime(buildInfo);
    const sources = [join(root, 'backend', 'src'), join(root, 'packages')];
    const configs = [
      'backend/tsconfig.build.json',
      'backend/tsconfig.contracts.json',
      'tsconfig.base.json',
      'package-lock.json',
    ];
    const newest = Math.max(
      ...sources.map(newestUnder),
      ...configs
        .map((file) => join(root, file))
        .filter(existsSync)
        .map(mtime),
    );
    return newest > built ? 'sources changed' : undefined;
  },
};

let stale = false;
for (const part of parts) {
  const reason = STALE[part]?.();
  if (!STALE[part]) {
    console.error(`build-if-stale: no part named "${part}" (widget, console, backend)`);
    process.exit(1);
  }
  if (reason === undefined) continue;
  stale = true;
  console.log(`${part}: ${reason}${values.check ? '' : ', building'}`);
  if (values.check) continue;
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const startedAt = new Date();
  const build = spawnSync(npm, ['run', 'build', '--workspace', part], {
    cwd: root,
    stdio: 'inherit',
  });
  if (build.status !== 0) process.exit(build.status ?? 1);
  if (part === 'backend') {
    // tsc -b leaves its build info alone when no source really changed (a file saved unchanged, a
    // folder touched): mark the sources as checked, as of the start, so that what changed during
    // the build still counts next time.
    const buildInfo = join(root, 'backend', 'dist', '.tsbuildinfo');
    if (mtime(buildInfo) < startedAt.getTime()) utimesSync(buildInfo, startedAt, startedAt);
  }
}
if (values.check && stale) process.exit(1);
