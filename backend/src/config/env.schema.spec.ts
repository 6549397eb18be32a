import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENT_VARIABLES } from '@lorechat/contracts';
import { EMBEDDING_DESCRIPTORS } from '../embeddings/descriptors';
import { LLM_DESCRIPTORS } from '../llm/providers/descriptors';
import { envSchema } from './env.schema';

const REPOSITORY_ROOT = join(__dirname, '..', '..', '..');

/** The environment table of a Markdown document: variable → its Default cell. */
function environmentTable(document: string): Map<string, string> {
  const markdown = readFileSync(join(REPOSITORY_ROOT, document), 'utf8');
  return new Map(
    [...markdown.matchAll(/^\| `([A-Z][A-Z0-9_]*)`\s*\|([^|]*)\|/gm)].map((row) => [
      row[1] ?? '',
      (row[2] ?? '').trim(),
    ]),
  );
}

/**
 * The configuration tables are what operators (and the demo chat, which answers from the docs)
 * read: they list every variable the schema reads, nothing else, with the schema's defaults.
 */
describe.each(['README.md', 'docs/configuration.md'])('the environment table of %s', (document) => {
  const table = environmentTable(document);
  const defaults = envSchema.parse({}) as Record<string, unknown>;

  it('lists exactly the variables the configuration schema reads', () => {
    expect([...table.keys()].sort()).toEqual(Object.keys(envSchema.shape).sort());
    expect(Object.keys(envSchema.shape).sort()).toEqual([...ENVIRONMENT_VARIABLES].sort());
  });

  it("shows each variable's default as the schema applies it", () => {
    for (const [name, cell] of table) {
      const literal = /^`([^`]*)`$/.exec(cell)?.[1];
      const value = defaults[name];
      // Defaults computed at start-up (PUBLIC_URL from PORT) or per provider are described in words.
      if (literal === undefined || value === undefined || literal.includes('$')) continue;
      const applied = typeof value === 'string' ? value : JSON.stringify(value);
      expect({ name, default: literal }).toEqual({ name, default: applied });
    }
  });
});

/** The rows of the Markdown tables in a document: first cell (without backticks) → its cells. */
function tableRows(document: string): Map<string, string[]> {
  const markdown = readFileSync(join(REPOSITORY_ROOT, document), 'utf8');
  return new Map(
    [...markdown.matchAll(/^\|(.+)\|\s*$/gm)].map((row) => {
      const cells = (row[1] ?? '').split('|').map((cell) => cell.trim());
      return [(cells[0] ?? '').replace(/`/g, ''), cells.slice(1)];
    }),
  );
}

/**
 * What the docs say of each provider is what its descriptor declares: its default model and the
 * variables it needs.
 */
describe.each(['README.md', 'docs/configuration.md'])('the providers in %s', (document) => {
  const rows = tableRows(document);
  const description = (variable: string) => rows.get(variable)?.at(-1) ?? '';
  const providers = [
    ...Object.values(LLM_DESCRIPTORS).map((descriptor) => ({ descriptor, model: 'LLM_MODEL' })),
    ...Object.values(EMBEDDING_DESCRIPTORS).map((descriptor) => ({
      descriptor,
      model: 'EMBEDDING_MODEL',
    })),
  ];

  it.each(providers)(
    'give $descriptor.id its default model under $model',
    ({ descriptor, model }) => {
      // A provider without a model (the offline answerer, keyword-only search) has no default to give.
      if (descriptor.defaultModel === descriptor.id) return;
      expect(description(model)).toContain(`\`${descriptor.defaultModel}\` (${descriptor.id})`);
    },
  );

  it.each(providers)('say what $descriptor.id requires', ({ descriptor }) => {
    const required = [
      ...(descriptor.apiKey ? [descriptor.apiKey.variable] : []),
      ...(descriptor.needsRegion ? ['AWS_REGION'] : []),
    ];
    for (const variable of required) {
      expect({ variable, says: description(variable) }).toEqual({
        variable,
        says: expect.stringContaining(`Required for \`${descriptor.id}\``),
      });
    }
  });
});

describe('the provider table of docs/providers.md', () => {
  const rows = tableRows('docs/providers.md');

  it.each(Object.values(LLM_DESCRIPTORS))('describes $id as its descriptor does', (descriptor) => {
    const [, defaultModel, needs] = rows.get(descriptor.id) ?? [];
    expect(defaultModel).toBe(
      descriptor.defaultModel === descriptor.id ? 'none' : `\`${descriptor.defaultModel}\``,
    );
    if (descriptor.apiKey) expect(needs).toContain(`\`${descriptor.apiKey.variable}\``);
    if (descriptor.needsRegion) expect(needs).toContain('`AWS_REGION`');
  });
});
