import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { roleNames } from '../bootstrap/github';
import { REPOSITORY_ROOT, readStackFile } from '../simulation/stackFiles';
import { stackTarget } from '../simulation/stackTarget';

interface Step {
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  'continue-on-error'?: boolean;
}

interface Job {
  if?: string;
  'runs-on'?: string;
  container?: string;
  environment?: string;
  needs?: string | string[];
  permissions?: Record<string, string>;
  outputs?: Record<string, string>;
  steps: Step[];
}

interface Workflow {
  on: Record<string, { paths?: string[]; types?: string[] } | null>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
}

const directory = path.join(REPOSITORY_ROOT, '.github', 'workflows');
const files = readdirSync(directory).filter((file) => /\.ya?ml$/.test(file));
const texts = new Map(
  files.map((file) => [file, readFileSync(path.join(directory, file), 'utf8')]),
);
const workflows = new Map(files.map((file) => [file, parse(texts.get(file) ?? '') as Workflow]));
const workflow = (file: string) => {
  const found = workflows.get(file);
  if (!found) throw new Error(`${file} is missing`);
  return found;
};
const stepsUsing = (job: Job | undefined, action: string) =>
  (job?.steps ?? []).filter((step) => step.uses?.startsWith(`${action}@`));

/**
 * The actions the workflows use, each pinned to the commit its release tag points at (read from
 * the action's repository). One table, so every workflow pins the same commit.
 */
const PINNED: Record<string, { commit: string; version: string }> = {
  'actions/checkout': { commit: '3d3c42e5aac5ba805825da76410c181273ba90b1', version: 'v7.0.1' },
  'actions/setup-node': { commit: '249970729cb0ef3589644e2896645e5dc5ba9c38', version: 'v6.5.0' },
  'aws-actions/configure-aws-credentials': {
    commit: 'e6de054238d6b7531b4efff3b6587d9aade6a06c',
    version: 'v6.2.3',
  },
  'pulumi/actions': { commit: '8e5e406f4007fca908480587cb9893c07090f58d', version: 'v7.0.0' },
  'docker/setup-buildx-action': {
    commit: '37fe631027851001ddb9b187196cc803df7f5f0e',
    version: 'v4.3.0',
  },
  'docker/build-push-action': {
    commit: '53b7df96c91f9c12dcc8a07bcb9ccacbed38856a',
    version: 'v7.3.0',
  },
};

/** `infra/**` as a regular expression over repository paths, the way GitHub matches `paths`. */
function globToRegExp(glob: string): RegExp {
  const pattern = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*\*/g, 'ANY-DEPTH')
    .replace(/\*/g, '[^/]*')
    .replace(/ANY-DEPTH/g, '.*');
  return new RegExp(`^${pattern}$`);
}

/** The repository paths backend/Dockerfile copies into the image from the build context. */
function imageSources(): string[] {
  const dockerfile = readFileSync(path.join(REPOSITORY_ROOT, 'backend', 'Dockerfile'), 'utf8');
  return [...dockerfile.matchAll(/^COPY (?!--from)(.+)$/gm)].flatMap((match) => {
    const parts = (match[1] ?? '').trim().split(/\s+/);
    return parts.slice(0, -1).map((source) => source.replace(/\/$/, '/x'));
  });
}

describe('.github/workflows', () => {
  it('holds CI, the Pulumi preview with its fork notice, and the Pulumi deployment', () => {
    expect(files.sort()).toEqual([
      'ci.yml',
      'pulumi-deploy.yml',
      'pulumi-fork-notice.yml',
      'pulumi-preview.yml',
    ]);
    expect(Object.keys(workflow('ci.yml').jobs)).toEqual(['test', 'qdrant-contract']);
    expect(Object.keys(workflow('pulumi-preview.yml').jobs)).toEqual(['checks', 'preview']);
    expect(Object.keys(workflow('pulumi-fork-notice.yml').jobs)).toEqual(['notice']);
    expect(Object.keys(workflow('pulumi-deploy.yml').jobs)).toEqual([
      'image',
      'dev',
      'staging',
      'prod',
    ]);
  });

  it.each(files)('%s pins every action to the commit of a release, named in a comment', (file) => {
    const lines = (texts.get(file) ?? '').split('\n').filter((line) => /^\s*-?\s*uses:/.test(line));
    for (const line of lines) {
      const match = /uses: ([\w-]+\/[\w-]+)@([0-9a-f]{40}) # (\S+)$/.exec(line);
      expect([line, match !== null]).toEqual([line, true]);
      const [, action = '', commit, version] = match ?? [];
      expect([action, commit, version]).toEqual([
        action,
        PINNED[action]?.commit,
        PINNED[action]?.version,
      ]);
    }
  });

  it.each(files)('%s reads contents only unless a job needs more', (file) => {
    expect(workflow(file).permissions).toEqual({ contents: 'read' });
    for (const job of Object.values(workflow(file).jobs)) {
      const granted = Object.entries(job.permissions ?? {}).filter(
        ([, level]) => level === 'write',
      );
      for (const [scope] of granted) expect(['id-token', 'pull-requests']).toContain(scope);
    }
  });

  it.each(files)('%s hard-codes no region and stores no AWS keys', (file) => {
    const text = texts.get(file) ?? '';
    expect(text).not.toMatch(
      /\b(us|eu|ap|ca|sa|me|af|il|mx)-(east|west|north|south|central|northeast|southeast)-\d\b/,
    );
    expect(text).not.toMatch(/aws-access-key-id|AWS_SECRET_ACCESS_KEY/i);
    for (const job of Object.values(workflow(file).jobs)) {
      for (const step of stepsUsing(job, 'aws-actions/configure-aws-credentials')) {
        expect(step.with?.['aws-region']).toMatch(/^\$\{\{ steps\.\w+\.outputs\.region \}\}$/);
      }
    }
  });

  it('reads each stack’s region and account from its stack file', () => {
    for (const stack of ['dev', 'staging', 'prod']) {
      const values = readStackFile(stack).config ?? {};
      // The committed files hold the example account, which the script refuses, as the program does.
      expect(() => stackTarget(stack)).toThrow(/must name the stack's AWS account/);
      expect(stackTarget(stack, { 'aws:allowedAccountIds': ['210987654321'] })).toEqual({
        region: values['aws:region'],
        account: '210987654321',
      });
    }
  });

  it('runs the tests in Debian as root, so .ci/run can install chromium', () => {
    expect(workflow('ci.yml').jobs.test?.container).toBe('node:20-bookworm');
  });

  it('gives every pull request the policy pack and the mock tests, without secrets', () => {
    const checks = workflow('pulumi-preview.yml').jobs.checks;
    expect(checks?.if).toBeUndefined();
    expect(checks?.permissions).toBeUndefined();
    expect(checks?.steps.map((step) => step.run).filter(Boolean)).toContain(
      'npm test --workspace infra',
    );
    expect(JSON.stringify(checks)).not.toMatch(/secrets\.|id-token/);
  });

  it('previews every stack only for pull requests from the repository, with its read-only role, as a comment', () => {
    const preview = workflow('pulumi-preview.yml').jobs.preview;
    expect(preview?.if).toBe('github.event.pull_request.head.repo.full_name == github.repository');
    expect(preview?.permissions).toEqual({
      contents: 'read',
      'id-token': 'write',
      'pull-requests': 'write',
    });
    expect(texts.get('pulumi-preview.yml')).toContain('stack: [dev, staging, prod]');
    const [credentials] = stepsUsing(preview, 'aws-actions/configure-aws-credentials');
    expect(credentials?.with?.['role-to-assume']).toBe(
      `arn:aws:iam::\${{ steps.target.outputs.account }}:role/${roleNames.preview('${{ matrix.stack }}')}`,
    );
    const [output, run] = stepsUsing(preview, 'pulumi/actions');
    expect(output?.with).toMatchObject({ command: 'output' });
    expect(run?.with).toMatchObject({
      command: 'preview',
      'comment-on-pr': true,
      policyPacks: 'infra/policy',
    });
    // A preview never builds: it runs against the image the stack already runs.
    expect(String(run?.with?.['config-map'])).toContain(
      "'lorechat:imageUri': {value: '${{ steps.deployed.outputs.imageUri }}'",
    );
    expect(texts.get('pulumi-preview.yml')).not.toMatch(/build-push-action|docker build/);
  });

  it("tells a fork's author that a preview needs a maintainer, without running the fork's code", () => {
    const notice = workflow('pulumi-fork-notice.yml');
    expect(Object.keys(notice.on)).toEqual(['pull_request_target']);
    const job = notice.jobs.notice;
    expect(job?.if).toBe('github.event.pull_request.head.repo.full_name != github.repository');
    expect(job?.permissions).toEqual({ 'pull-requests': 'write' });
    expect(job?.steps.filter((step) => step.uses)).toEqual([]);
    expect(job?.steps[0]?.run).toMatch(/^gh pr comment "\$PR_URL" --body ".*needs a maintainer/);
  });

  it('builds the arm64 image once per commit on a native arm64 runner, pushed by digest', () => {
    const image = workflow('pulumi-deploy.yml').jobs.image;
    expect(image?.['runs-on']).toBe('ubuntu-24.04-arm');
    const [build] = stepsUsing(image, 'docker/build-push-action');
    expect(build?.with).toMatchObject({
      file: 'backend/Dockerfile',
      platforms: 'linux/arm64',
      push: true,
    });
    expect(image?.outputs?.image).toBe(
      '${{ steps.registry.outputs.repository }}@${{ steps.build.outputs.digest }}',
    );
    const [credentials] = stepsUsing(image, 'aws-actions/configure-aws-credentials');
    expect(credentials?.with?.['role-to-assume']).toContain(`:role/${roleNames.imagePush}`);
  });

  it('deploys that one digest to dev, then staging and prod behind their GitHub environments', () => {
    const jobs = workflow('pulumi-deploy.yml').jobs;
    expect([jobs.dev?.environment, jobs.dev?.needs]).toEqual(['dev', 'image']);
    expect([jobs.staging?.environment, jobs.staging?.needs]).toEqual(['staging', ['image', 'dev']]);
    expect([jobs.prod?.environment, jobs.prod?.needs]).toEqual(['prod', ['image', 'staging']]);
    for (const stack of ['dev', 'staging', 'prod']) {
      const job = jobs[stack];
      const [up] = stepsUsing(job, 'pulumi/actions');
      expect(up?.with).toMatchObject({
        command: 'up',
        'stack-name': stack,
        policyPacks: 'infra/policy',
      });
      expect(String(up?.with?.['config-map'])).toContain(
        "'lorechat:imageUri': {value: '${{ needs.image.outputs.image }}'",
      );
      const [credentials] = stepsUsing(job, 'aws-actions/configure-aws-credentials');
      expect(credentials?.with?.['role-to-assume']).toBe(
        `arn:aws:iam::\${{ steps.target.outputs.account }}:role/${roleNames.deploy(stack)}`,
      );
      expect(job?.steps.find((step) => step.id === 'target')?.run).toContain(
        `infra/scripts/stackTarget.ts ${stack}`,
      );
    }
  });

  it('deploys on a change to anything the image contains', () => {
    const paths = (workflow('pulumi-deploy.yml').on.push?.paths ?? []).map(globToRegExp);
    const sources = imageSources();
    expect(sources).toEqual(expect.arrayContaining(['backend/x', 'widget/x', 'docs']));
    for (const source of sources) {
      expect([source, paths.some((glob) => glob.test(source) || glob.test(`${source}/x`))]).toEqual(
        [source, true],
      );
    }
  });
});
