// Builds console/dist: index.html, console.css and console.js (one minified bundle with Chart.js
// inside), which the backend serves at /admin.
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import console from 'node:console';
import { fileURLToPath } from 'node:url';
import { build, transform } from 'esbuild';

const consoleDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const { version } = JSON.parse(await readFile(join(consoleDir, 'package.json'), 'utf8'));

await mkdir(join(consoleDir, 'dist'), { recursive: true });
await build({
  absWorkingDir: consoleDir,
  entryPoints: ['src/main.ts'],
  outfile: 'dist/console.js',
  bundle: true,
  minify: true,
  format: 'iife',
  platform: 'browser',
  target: ['chrome100', 'firefox100', 'safari15.4', 'edge100'],
  define: { CONSOLE_VERSION: JSON.stringify(version) },
  banner: {
    js: `/*! LoreChat console ${version}, Apache-2.0. Bundles Chart.js, MIT, (c) Chart.js contributors */`,
  },
  legalComments: 'none',
  logLevel: 'warning',
});
const { code } = await transform(await readFile(join(consoleDir, 'src', 'console.css'), 'utf8'), {
  loader: 'css',
  minify: true,
});
await writeFile(join(consoleDir, 'dist', 'console.css'), code);
await copyFile(join(consoleDir, 'src', 'index.html'), join(consoleDir, 'dist', 'index.html'));
console.log(`built console/dist (version ${version})`);
