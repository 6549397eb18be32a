// Builds widget/dist/widget.js: one minified IIFE with socket.io-client inside, for site owners
// to load with one script tag.
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import console from 'node:console';
import { fileURLToPath } from 'node:url';
import { build, transform } from 'esbuild';

const widgetDir = join(dirname(fileURLToPath(import.meta.url)), '..');
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

await build({
  absWorkingDir: widgetDir,
  entryPoints: ['src/index.ts'],
  outfile: 'dist/widget.js',
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
  plugins: [minifiedCss, websocketOnly],
  logLevel: 'warning',
});
console.log(`built widget/dist/widget.js (version ${version})`);
