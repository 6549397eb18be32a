import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { REPOSITORY_ROOT } from '../simulation/stackFiles';

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

interface Job {
  container?: string;
  environment?: string;
  needs?: string | string[];
  permissions?: Record<string, string>;
  steps: Step[];
}

interface Workflow {
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const directory = path.join(REPOSITORY_ROOT, '.github', 'workflows');
const workflows = new Map(
  readdirSync(directory)
    .filter((file) => /\.ya?ml$/.test(file))
    .map((file) => [file, parse(readFileSync(path.join(directory, file), 'utf8')) as Workflow]),
);
const workflow = (file: string) => {
  const found = workflows.get(file);
  if (!found) throw new Error(`${file} is missing`);
  return found;
};

/** The GitHub workflows parse, pin their actions and ask for the least they need. */
describe('.github/workflows', () => {
  it('holds CI, the Pulumi preview and the Pulumi deployment', () => {
    expect([...workflows.keys()].sort()).toEqual([
      'ci.yml',
      'pulumi-deploy.yml',
      'pulumi-preview.yml',
    ]);
    expect(Object.keys(workflow('ci.yml').jobs)).toEqual(['test', 'qdrant-contract']);
    expect(Object.keys(workflow('pulumi-preview.yml').jobs)).toEqual(['preview']);
    expect(Object.keys(workflow('pulumi-deploy.yml').jobs)).toEqual(['dev', 'staging', 'prod']);
  });

  it.each([...workflows.keys()])('%s pins every action to a version', (file) => {
    for (const job of Object.values(workflow(file).jobs)) {
      for (const step of job.steps) {
        if (step.uses)
          expect(step.uses).toMatch(/^[\w-]+\/[\w-]+@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/);
      }
    }
  });

  it.each([...workflows.keys()])('%s reads contents only unless a job needs more', (file) => {
    expect(workflow(file).permissions).toEqual({ contents: 'read' });
    for (const job of Object.values(workflow(file).jobs)) {
      const granted = Object.entries(job.permissions ?? {}).filter(
        ([, level]) => level === 'write',
      );
      for (const [scope] of granted) expect(['id-token', 'pull-requests']).toContain(scope);
    }
  });

  it('runs the tests in Debian as root, so .ci/run can install chromium', () => {
    expect(workflow('ci.yml').jobs.test?.container).toBe('node:20-bookworm');
  });

  it('previews every stack on pull requests with the policy pack, as a comment, without stored AWS keys', () => {
    const preview = workflow('pulumi-preview.yml').jobs.preview;
    expect(preview?.permissions).toEqual({
      contents: 'read',
      'id-token': 'write',
      'pull-requests': 'write',
    });
    const text = readFileSync(path.join(directory, 'pulumi-preview.yml'), 'utf8');
    expect(text).toContain('stack: [dev, staging, prod]');
    const pulumi = preview?.steps.find((step) => step.uses?.startsWith('pulumi/actions@'));
    expect(pulumi?.with).toMatchObject({
      command: 'preview',
      'comment-on-pr': true,
      policyPacks: 'infra/policy',
    });
    expect(existsSync(path.join(REPOSITORY_ROOT, 'infra', 'policy', 'PulumiPolicy.yaml'))).toBe(
      true,
    );
    const aws = preview?.steps.find((step) =>
      step.uses?.startsWith('aws-actions/configure-aws-credentials@'),
    );
    expect(aws?.with?.['role-to-assume']).toBeDefined();
    for (const [file] of workflows) {
      expect(readFileSync(path.join(directory, file), 'utf8')).not.toMatch(
        /aws-access-key-id|AWS_SECRET_ACCESS_KEY/i,
      );
    }
  });

  it('deploys main to dev, then staging and prod behind their GitHub environments', () => {
    const jobs = workflow('pulumi-deploy.yml').jobs;
    expect(jobs.dev?.environment).toBe('dev');
    expect([jobs.staging?.environment, jobs.staging?.needs]).toEqual(['staging', 'dev']);
    expect([jobs.prod?.environment, jobs.prod?.needs]).toEqual(['prod', 'staging']);
    for (const [stack, job] of Object.entries(jobs)) {
      const up = job.steps.find((step) => step.uses?.startsWith('pulumi/actions@'));
      expect(up?.with).toMatchObject({ command: 'up', 'stack-name': stack });
    }
  });
});
