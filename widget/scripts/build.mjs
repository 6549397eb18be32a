// Builds widget/dist/widget.js: one minified IIFE with socket.io-client inside, for site owners
// to load with one script tag; widget-voice.js and widget-handoff.js, the features it loads on
// first use, and widget-locale-<locale>.js, each language but English, loaded before the widget
// shows on a page in that language; each one's .br, its brotli encoding, which the server would otherwise
// spend a quarter of a second on at every start; and .build-inputs.json, every file the build read
// and wrote, by which `npm start` (scripts/build-if-stale.mjs) tells whether to build again.
import { readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import console from 'node:console';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { brotliCompress, constants } from 'node:zlib';
import { build, transform } from 'esbuild';

const widgetDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const outDir = join(widgetDir, 'dist');
const { version } = JSON.parse(await readFile(join(widgetDir, 'package.json'), 'utf8'));

/** Stylesheets become minified strings, ready for the shadow root's <style>. */
const minifiedCss = {
  name: 'minified-css',
  setup(esbuild) {
    esbuild.onLoad({ filter: /\.css$/ }, async ({ path }) => {
      const { code } = await transform(await readFile(path, 'utf8'), {
        loader: 'css',
        minify: true,
      });
      return { contents: `export default ${JSON.stringify(code.trim())};`, loader: 'js' };
    });
  },
};

/**
 * engine.io-client registers all its transports (long-polling, WebTransport, WebSocket) in one
 * module that its Socket imports, so bundlers keep them all. The widget connects over WebSocket
 * only (transport.ts), so that module is swapped for one that registers WebSocket alone, and the
 * other transports' modules are declared free of side effects so that nothing keeps them either.
 */
const websocketOnly = {
  name: 'websocket-only',
  setup(esbuild) {
    const fromEngineIo = /[\\/]engine\.io-client[\\/]/;
    esbuild.onResolve({ filter: /^\.\/transports\/index\.js$/ }, ({ importer }) =>
      fromEngineIo.test(importer)
        ? { path: join(dirname(importer), 'transports', 'websocket.js'), namespace: 'ws-only' }
        : undefined,
    );
    esbuild.onResolve(
      { filter: /^\.\/transports\/(polling|webtransport)/ },
      async ({ path, importer, resolveDir, kind, pluginData }) => {
        if (!fromEngineIo.test(importer) || pluginData === 'websocket-only') return undefined;
        const resolved = await esbuild.resolve(path, {
          importer,
          resolveDir,
          kind,
          pluginData: 'websocket-only',
        });
        return { path: resolved.path, sideEffects: false };
      },
    );
    esbuild.onLoad({ filter: /.*/, namespace: 'ws-only' }, ({ path }) => ({
      contents: `import { WS } from ${JSON.stringify(path)}; export const transports = { websocket: WS };`,
      resolveDir: dirname(path),
      loader: 'js',
    }));
  },
};

/**
 * The chat protocol is JSON only (@lorechat/contracts): no event carries binary data. So
 * socket.io-parser's binary support (finding binary values in a packet, splitting them into
 * attachments and joining them back) is swapped for a module that finds none, which saves about
 * 0.7 KB gzipped of the widget's 25 KB budget. A binary packet from a server would close the
 * connection as a parse error.
 */
const jsonOnly = {
  name: 'json-only',
  setup(esbuild) {
    const fromParser = /[\\/]socket\.io-parser[\\/]/;
    esbuild.onResolve({ filter: /^\.\/(is-)?binary\.js$/ }, ({ path, importer }) =>
      // The real file's path, so .build-inputs.json names a file that exists.
      fromParser.test(importer)
        ? { path: join(dirname(importer), path), namespace: 'json-only' }
        : undefined,
    );
    esbuild.onLoad({ filter: /.*/, namespace: 'json-only' }, () => ({
      contents:
        'export const isBinary = () => false, hasBinary = () => false;' +
        'export const deconstructPacket = () => { throw new Error("binary packets unsupported"); },' +
        ' reconstructPacket = deconstructPacket;',
      loader: 'js',
    }));
  },
};

/**
 * For the same reason, engine.io-parser's packet encoding and decoding are swapped for text-only
 * ones: no Blob, ArrayBuffer or base64 handling, about 0.3 KB gzipped. A binary frame from a server
 * decodes as engine.io's parse error, which closes the connection.
 */
const textOnlyPackets = {
  name: 'text-only-packets',
  setup(esbuild) {
    const fromEngineIoParser = /[\\/]engine\.io-parser[\\/]/;
    esbuild.onResolve({ filter: /^\.\/(en|de)codePacket\.js$/ }, ({ path, importer }) =>
      fromEngineIoParser.test(importer)
        ? {
            path: join(dirname(importer), path.replace(/\.js$/, '.browser.js')),
            namespace: 'text-only',
          }
        : undefined,
    );
    esbuild.onLoad({ filter: /.*/, namespace: 'text-only' }, ({ path }) => ({
      contents:
        'import { PACKET_TYPES, PACKET_TYPES_REVERSE, ERROR_PACKET } from "./commons.js";' +
        'export const encodePacket = ({ type, data }, _binary, callback) =>' +
        ' callback(PACKET_TYPES[type] + (data || ""));' +
        'export const encodePacketToBinary = () => { throw new Error("binary packets unsupported"); };' +
        'export const decodePacket = (packet) => {' +
        ' const type = typeof packet === "string" && PACKET_TYPES_REVERSE[packet[0]];' +
        ' return !type ? ERROR_PACKET : packet.length > 1 ? { type, data: packet.slice(1) } : { type };' +
        '};',
      resolveDir: dirname(path),
      loader: 'js',
    }));
  },
};

const outfile = join(outDir, 'widget.js');
const { metafile } = await build({
  absWorkingDir: widgetDir,
  entryPoints: ['src/index.ts'],
  outfile,
  metafile: true,
  bundle: true,
  minify: true,
  format: 'iife',
  platform: 'browser',
  // Browsers from 2022 on: private fields and Object.hasOwn without helpers.
  target: ['chrome100', 'firefox100', 'safari15.4', 'edge100'],
  define: { WIDGET_VERSION: JSON.stringify(version) },
  banner: {
    js:
      `/*! LoreChat widget ${version}, Apache-2.0. Bundles socket.io-client and its dependencies, ` +
      'MIT, (c) Guillermo Rauch and the Socket.IO contributors */',
  },
  legalComments: 'none',
  plugins: [minifiedCss, websocketOnly, jsonOnly, textOnlyPackets],
  logLevel: 'warning',
});
/**
 * The features beyond the core and the languages but English, each its own ES module beside
 * widget.js (widget-<name>.js), which the core imports relative to its own URL the first time the
 * feature or language is needed.
 */
const chunks = await build({
  absWorkingDir: widgetDir,
  entryPoints: {
    voice: 'src/chunks/voice.ts',
    handoff: 'src/chunks/handoff.ts',
    ...Object.fromEntries(
      ['fr', 'de', 'es', 'ar'].map((locale) => [`locale-${locale}`, `src/i18n/${locale}.ts`]),
    ),
  },
  outdir: outDir,
  entryNames: 'widget-[name]',
  metafile: true,
  bundle: true,
  minify: true,
  format: 'esm',
  platform: 'browser',
  target: ['chrome100', 'firefox100', 'safari15.4', 'edge100'],
  banner: { js: `/*! LoreChat widget ${version}, Apache-2.0 */` },
  legalComments: 'none',
  plugins: [minifiedCss],
  logLevel: 'warning',
});
const scripts = [
  outfile,
  ...Object.keys(chunks.metafile.outputs).map((file) => join(widgetDir, file)),
];
await Promise.all(
  scripts.map(async (file) => {
    const brotli = await promisify(brotliCompress)(await readFile(file), {
      params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY },
    });
    await writeFile(`${file}.br`, brotli);
  }),
);
// A plugin's module is named `<namespace>:<file>`; the file is what changes.
const inWidget = (file) =>
  relative(widgetDir, resolve(widgetDir, file.replace(/^[\w-]+:(?=\/)/, '')));
// Written last, so an interrupted build is not taken for a complete one; a dot file, never served.
await writeFile(
  join(outDir, '.build-inputs.json'),
  JSON.stringify({
    inputs: [...Object.keys(metafile.inputs), ...Object.keys(chunks.metafile.inputs)].map(inWidget),
    outputs: scripts.flatMap((file) => [inWidget(file), inWidget(`${file}.br`)]),
  }),
);
console.log(`built widget/dist/widget.js and its chunks (version ${version})`);
