import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { dashboardWidgetTitles } from '../components/dashboard';
import { policies } from '../policy/rules';
import {
  BOOTSTRAP_ROOT,
  REPOSITORY_ROOT,
  engineConfig,
  readProjectFile,
} from '../simulation/stackFiles';

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
    'aws:allowedAccountIds',
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
        'Bootstrap the AWS account',
        'Build the image',
        'Create the dev stack',
        'Store API keys as Pulumi secrets',
        'Deploy the dev stack',
        'Stack outputs: the site URL and the widget snippet',
        'Tear down a stack',
      ]),
    );
    expect(guide).toContain('pulumi up -s dev');
  });

  it("documents every setting of the bootstrap program's Pulumi.yaml", () => {
    const bootstrapSection = guide.slice(guide.indexOf('## Bootstrap the AWS account'));
    for (const key of Object.keys(readProjectFile(BOOTSTRAP_ROOT).config ?? {})) {
      if (key.includes(':')) continue;
      expect([key, bootstrapSection.includes(`| \`${key}\``)]).toEqual([key, true]);
    }
  });
});

describe('the deployment docs', () => {
  const read = (name: string) => readFileSync(path.join(REPOSITORY_ROOT, 'docs', name), 'utf8');

  it.each(['deploy.md', 'operations.md', 'cost.md'])('%s calls nothing built "coming"', (name) => {
    expect(read(name)).not.toMatch(/\b(coming|being built|next (infrastructure )?release)\b/i);
  });

  it('operations.md lists the dashboard widgets the program draws, with and without Container Insights', () => {
    const operations = read('operations.md');
    for (const title of [...dashboardWidgetTitles(true), ...dashboardWidgetTitles(false)]) {
      expect([title, operations.includes(`**${title}**`)]).toEqual([title, true]);
    }
  });

  it('operations.md lists every rule of the policy pack', () => {
    const operations = read('operations.md');
    const rows = [...operations.matchAll(/^\| `([a-z0-9-]+)`\s+\| .*$/gm)].map((match) => match[1]);
    for (const policy of policies) expect(rows).toContain(policy.name);
  });
});
