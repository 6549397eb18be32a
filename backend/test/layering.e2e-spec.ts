import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * `npm run lint` keeps the layers honest (docs/architecture.md): these tests run the repository's
 * own ESLint configuration on deliberate violations and show that it fails on each, and passes
 * the same kind of import where the layers allow it.
 *
 * ESLint runs in a child process, because it loads its configuration as an ES module, which
 * Jest's CommonJS sandbox cannot. The snippets are linted as if they sat at the given paths, so
 * the real layer zones apply; type-aware rules are off for them, as such files exist in no
 * tsconfig (the import rules need no types). The import cycle is a fixture on disk, which the
 * repository's lint otherwise ignores.
 */
const REPOSITORY_ROOT = join(__dirname, '..', '..');

interface Case {
  filePath: string;
  code?: string;
}

interface Finding {
  filePath: string;
  rules: string[];
}

const LINT_SCRIPT = `
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
const cases = JSON.parse(process.argv[1]);
const eslint = new ESLint({ ignore: false, overrideConfig: tseslint.configs.disableTypeChecked });
const findings = [];
for (const { filePath, code } of cases) {
  const [result] =
    code === undefined ? await eslint.lintFiles([filePath]) : await eslint.lintText(code, { filePath });
  findings.push({ filePath, rules: result.messages.map((message) => message.ruleId ?? message.message) });
}
process.stdout.write(JSON.stringify(findings));
`;

async function lint(cases: Case[]): Promise<Map<string, string[]>> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--input-type=module', '--eval', LINT_SCRIPT, JSON.stringify(cases)],
    { cwd: REPOSITORY_ROOT, maxBuffer: 10 * 1024 * 1024 },
  );
  const findings = JSON.parse(stdout) as Finding[];
  return new Map(findings.map(({ filePath, rules }) => [filePath, rules]));
}

const importing = (specifier: string, name: string) =>
  `import { ${name} } from '${specifier}';\n\nexport const used = [${name}];\n`;

describe('the layering lint rules', () => {
  const upward: Case[] = [
    // Config depends on nothing of the app.
    {
      filePath: 'backend/src/config/violation.ts',
      code: importing('../chat/chat-error', 'ChatError'),
    },
    // Providers know nothing of chat.
    {
      filePath: 'backend/src/llm/violation.ts',
      code: importing('../chat/chat-error', 'ChatError'),
    },
    // Stores know nothing of retrieval.
    {
      filePath: 'backend/src/vector-store/violation.ts',
      code: importing('../retrieval/fusion', 'fuseRankings'),
    },
    // Neighbours in one layer stay apart unless the configuration allows the edge.
    {
      filePath: 'backend/src/embeddings/violation.ts',
      code: importing('../llm/llm-error', 'LlmError'),
    },
    {
      filePath: 'backend/src/ingest/violation.ts',
      code: importing('../chat/chat-error', 'ChatError'),
    },
    // Workspaces share code only through @lorechat/contracts.
    {
      filePath: 'widget/src/violation.ts',
      code: importing('../../backend/src/metrics/metrics', 'Metrics'),
    },
    {
      filePath: 'infra/violation.ts',
      code: importing('../backend/src/config/env.schema', 'envSchema'),
    },
  ];
  const allowed: Case[] = [
    { filePath: 'backend/src/chat/allowed.ts', code: importing('../llm/llm-error', 'LlmError') },
    {
      filePath: 'backend/src/retrieval/allowed.ts',
      code: importing('../text/analyzer', 'Analyzer'),
    },
    {
      filePath: 'widget/src/allowed.ts',
      code: importing('@lorechat/contracts', 'ERROR_CODES'),
    },
  ];
  const cycle: Case = { filePath: 'backend/test/fixtures/lint/cycle/turn.ts' };

  let findings: Map<string, string[]>;
  beforeAll(async () => {
    findings = await lint([...upward, ...allowed, cycle]);
  }, 120_000);

  it.each(upward.map(({ filePath }) => filePath))(
    'fails on an import the layers forbid: %s',
    (file) => {
      expect(findings.get(file)).toEqual(['import-x/no-restricted-paths']);
    },
  );

  it.each(allowed.map(({ filePath }) => filePath))(
    'passes an import down the layers: %s',
    (file) => {
      expect(findings.get(file)).toEqual([]);
    },
  );

  it('fails on an import cycle', () => {
    expect(findings.get(cycle.filePath)).toEqual(['import-x/no-cycle']);
  });
});
