// @ts-check
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import eslint from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

/**
 * The backend's layers, bottom first (docs/architecture.md explains them). A folder of
 * backend/src may import from the layers below its own, never from one above: that is what keeps
 * config free of the app and the providers free of chat. Within a layer folders are independent,
 * except for the edges SIDEWAYS lists.
 */
const BACKEND_LAYERS = [
  ['config', 'common', 'types'],
  ['text', 'aws', 'redis'],
  ['llm', 'embeddings'],
  ['vector-store'],
  ['retrieval', 'metrics', 'analytics'],
  ['chat', 'security', 'logging', 'health', 'ingest', 'handoff'],
  [
    'site',
    'http',
    'admin',
    'bench',
    'backup',
    'app.module.ts',
    'app.factory.ts',
    'main.ts',
    'workers.ts',
    'cli.ts',
  ],
];

/**
 * The features that work together: the gateway checks visitors (security), logs, and waits on the
 * drain (health); quotas raise chat errors; the request log reads the client's IP as the quotas
 * do; the conversation log prices answers as the metrics do; the chat passes a visitor's request
 * for a person to the handoff, which counts it against the visitor's quotas; the reranker reports
 * its latency and cost.
 */
const SIDEWAYS = {
  chat: ['security', 'logging', 'health', 'handoff'],
  security: ['chat'],
  logging: ['security'],
  analytics: ['metrics'],
  handoff: ['security'],
  retrieval: ['metrics'],
};

/** The app's top layer composes everything: its parts may import each other. */
const TOP = BACKEND_LAYERS.length - 1;

const backendSrc = (name) => `./backend/src/${name}`;

/**
 * Provider descriptors (`openai.descriptor.ts`, the `descriptors.ts` tables and their types) sit
 * beside their implementations but are declarations the configuration reads: any layer may
 * import them. They import their implementation only when the provider is picked, which
 * config/provider-descriptor.spec.ts checks.
 */
const DESCRIPTOR = /(^|[.-])descriptors?\.ts$/;
const descriptorsIn = (folder) =>
  readdirSync(join(import.meta.dirname, 'backend/src', folder), {
    recursive: true,
    encoding: 'utf8',
  })
    .filter((file) => DESCRIPTOR.test(file.split('/').at(-1) ?? ''))
    .map((file) => `./${file}`);

/** One zone per forbidden folder, so that its descriptors can be excepted (paths inside `from`). */
export const layerZones = BACKEND_LAYERS.flatMap((layer, rank) =>
  rank === TOP
    ? []
    : layer.flatMap((folder) => {
        const above = BACKEND_LAYERS.slice(rank + 1).flat();
        const beside = layer.filter(
          (other) => other !== folder && !(SIDEWAYS[folder] ?? []).includes(other),
        );
        return [...above, ...beside].map((forbidden) => ({
          target: backendSrc(folder),
          from: backendSrc(forbidden),
          except: forbidden.endsWith('.ts') ? [] : descriptorsIn(forbidden),
          message: `backend/src/${folder} may import only from the layers below it (see docs/architecture.md).`,
        }));
      }),
);

/**
 * The workspaces meet only through packages/contracts. The widget's browser tests are the one
 * exception: they start the real backend to talk to.
 */
const workspaceZones = [
  {
    target: './packages/contracts',
    from: ['./backend', './widget', './infra'],
    message: 'The contracts are shared by every workspace and import none of them.',
  },
  {
    target: './backend',
    from: ['./widget', './infra'],
    message: 'Workspaces share code only through @lorechat/contracts.',
  },
  {
    target: './widget/src',
    from: ['./backend', './infra'],
    message: 'Workspaces share code only through @lorechat/contracts.',
  },
  {
    target: './infra',
    from: ['./backend', './widget'],
    message: 'Workspaces share code only through @lorechat/contracts.',
  },
];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/coverage/**',
      '.lorechat/**',
      // Deliberate violations, linted only by the test that shows the rules catch them.
      'backend/test/fixtures/lint/**',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      // Parse TypeScript dependencies too, or a cycle through them would go unseen.
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
    },
    rules: {
      // Type-only imports are erased at compile time and do not count as a cycle.
      'import-x/no-cycle': 'error',
      'import-x/no-restricted-paths': [
        'error',
        { basePath: import.meta.dirname, zones: [...layerZones, ...workspaceZones] },
      ],
    },
  },
  {
    // Plain JavaScript config files are outside every tsconfig: lint them without type information.
    files: ['**/*.js', '**/*.mjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: {
      globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' },
    },
  },
  {
    files: ['**/*.spec.ts', '**/*.e2e-spec.ts', '**/test/**/*.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      // Jest's asymmetric matchers (expect.any, expect.stringMatching) are typed `any` by design.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
);
