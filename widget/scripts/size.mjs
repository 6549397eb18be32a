// `npm run size`: the built widget's raw, gzip and brotli sizes; fails over the gzip budget.
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import console from 'node:console';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

/** The budget, socket.io-client included: what site owners add to every page. */
const GZIP_BUDGET_BYTES = 25 * 1024;

const file = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'widget.js');
const bundle = await readFile(file);
const gzip = gzipSync(bundle, { level: 9 }).length;
const brotli = brotliCompressSync(bundle, {
  params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY },
}).length;
const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

console.log(`widget/dist/widget.js`);
console.log(`  raw     ${String(bundle.length).padStart(7)} bytes  ${kb(bundle.length)}`);
console.log(
  `  gzip    ${String(gzip).padStart(7)} bytes  ${kb(gzip)}  (budget ${kb(GZIP_BUDGET_BYTES)})`,
);
console.log(`  brotli  ${String(brotli).padStart(7)} bytes  ${kb(brotli)}`);
// The chunks load on first use, so they are outside the budget: listed to keep an eye on them.
const chunks = (await readdir(dirname(file))).filter((name) => /^widget-.+\.js$/.test(name));
for (const chunk of chunks) {
  const size = gzipSync(await readFile(join(dirname(file), chunk)), { level: 9 }).length;
  console.log(`  ${chunk} (loaded on first use): gzip ${size} bytes  ${kb(size)}`);
}
if (gzip > GZIP_BUDGET_BYTES) {
  console.error(`over budget by ${gzip - GZIP_BUDGET_BYTES} bytes gzipped`);
  process.exitCode = 1;
}
