/**
 * Lets plain `node` run the repository's TypeScript files directly (`node -r
 * ./scripts/register-typescript.js file.ts`), transpiling each as it is loaded: the infra inventory
 * runs the Pulumi program this way, and crash tests run the real store code in a child process they
 * can kill. Type checking is `npm run typecheck`'s job, so this stays fast.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS preload: `require` is its module system */
const { readFileSync } = require('node:fs');
const ts = require('typescript');

require.extensions['.ts'] = (module, filename) => {
  const { outputText } = ts.transpileModule(readFileSync(filename, 'utf8'), {
    fileName: filename,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      inlineSourceMap: true,
    },
  });
  module._compile(outputText, filename);
};
