import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { REPOSITORY_ROOT, engineConfig, readProjectFile } from '../simulation/stackFiles';

/**
 * docs/deploy.md explains every setting with its value in each stack. These tests keep its tables
 * in step with Pulumi.yaml and the stack files, so the chat never answers from stale values.
 */
describe('docs/deploy.md', () => {
  const guide = readFileSync(path.join(REPOSITORY_ROOT, 'docs', 'deploy.md'), 'utf8');
  const rows = new Map(
    [...guide.matchAll(/^\| `([\w:]+)`\s*\|(.*)\|$/gm)].map((match) => [
      match[1],
      (match[2] ?? '').split('|').map((cell) => cell.trim()),
    ]),
  );
  const stacks = ['dev', 'staging', 'prod'].map((stack) => engineConfig(stack).values);
  const settings = [
    'aws:region',
    ...Object.keys(readProjectFile().config ?? {})
      .filter((key) => !key.includes(':'))
      .map((key) => `lorechat:${key}`),
  ];

  /** How the tables write a value: in backticks, or a dash when it is not set. */
  const shown = (value: string | undefined) =>
    value === undefined || value === '' || value === '[]' ? '—' : `\`${value}\``;

  it.each(settings)('documents %s with its value in dev, staging and prod', (setting) => {
    const row = rows.get(setting.replace(/^lorechat:/, ''));
    expect(row).toBeDefined();
    const [dev, staging, prod, meaning] = row ?? [];
    expect([dev, staging, prod]).toEqual(stacks.map((values) => shown(values[setting])));
    expect(meaning?.length).toBeGreaterThan(10);
  });

  it('walks through every step from an empty account to a running dev stack and back', () => {
    const headings = [...guide.matchAll(/^## (.+)$/gm)].map((match) => match[1]);
    expect(headings).toEqual(
      expect.arrayContaining([
        'Set up AWS credentials',
        'Choose a Pulumi state backend',
        'Create the dev stack',
        'Store API keys as Pulumi secrets',
        'Deploy the dev stack',
        'Stack outputs: the site URL and the widget snippet',
        'Tear down a stack',
      ]),
    );
    expect(guide).toContain('pulumi up -s dev');
  });
});
