import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENT_VARIABLES } from '@lorechat/contracts';
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
