import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import {
  primaryFacts,
  standbyFacts,
  type PrimaryFacts,
  type StandbyFacts,
} from '../simulation/regionSwitch';
import { runProgram } from '../simulation/runProgram';
import { REPOSITORY_ROOT, type StackFileValue } from '../simulation/stackFiles';

/**
 * `npm run infra:region-switch`: the runbook's region switch (docs/operations.md, "Disaster
 * recovery") rehearsed under Pulumi's mocks, no AWS account needed. Each step runs the program
 * for one stack in a process of its own (a program runs once per process) and prints what held
 * and how long it took; each step's outputs configure the next, as the runbook's
 * `pulumi stack output` and `pulumi config set` pairs do. Exit status 1 if anything did not hold.
 */

const PRIMARY = 'prod';
const STANDBY = 'prod-dr';

type Step =
  | { kind: 'primary'; overrides: Record<string, StackFileValue> }
  | { kind: 'standby'; overrides: Record<string, StackFileValue> };

/** Child mode: run one stack and print its facts as JSON. */
async function runStep(step: Step): Promise<void> {
  const run = await runProgram(step.kind === 'primary' ? PRIMARY : STANDBY, step.overrides);
  const facts = step.kind === 'primary' ? primaryFacts(run) : standbyFacts(run);
  process.stdout.write(`${JSON.stringify(facts)}\n`);
}

function spawnStep<T>(step: Step): { facts: T; seconds: number } {
  const started = performance.now();
  const child = spawnSync(
    process.execPath,
    [
      '--require',
      path.join(REPOSITORY_ROOT, 'scripts', 'register-typescript.js'),
      __filename,
      '--step',
      JSON.stringify(step),
    ],
    { encoding: 'utf8', cwd: REPOSITORY_ROOT },
  );
  if (child.status !== 0) throw new Error(`the ${step.kind} step failed:\n${child.stderr}`);
  const lastLine = child.stdout.trim().split('\n').at(-1) ?? '{}';
  return { facts: JSON.parse(lastLine) as T, seconds: (performance.now() - started) / 1000 };
}

function orchestrate(): boolean {
  let held = true;
  const report = (title: string, seconds: number, checks: [string, boolean][]) => {
    process.stdout.write(`${title} (${seconds.toFixed(1)} s)\n`);
    for (const [check, ok] of checks) {
      held &&= ok;
      process.stdout.write(`  ${ok ? 'held' : 'FAILED'}: ${check}\n`);
    }
  };

  const before = spawnStep<PrimaryFacts>({ kind: 'primary', overrides: {} });
  report('1. prod before the standby exists', before.seconds, [
    [
      `secrets replicated to ${before.facts.secretReplicaRegions.join(', ')}`,
      before.facts.secretReplicaRegions.length === 1,
    ],
    [
      `Qdrant snapshots copied to ${before.facts.snapshotCopyRegions.join(', ')}`,
      before.facts.snapshotCopyRegions.length === 1,
    ],
    ['no failover group yet', before.facts.failoverGroup.length === 0],
  ]);
  const standbyRegion = before.facts.snapshotCopyRegions[0] ?? '';

  const standby = spawnStep<StandbyFacts>({
    kind: 'standby',
    overrides: {
      'lorechat:drPrimarySecretArn': before.facts.adminTokenSecretArn,
      'lorechat:imageUri': before.facts.imageUri.replace(
        /\.ecr\.[a-z0-9-]+\./,
        `.ecr.${standbyRegion}.`,
      ),
    },
  });
  const replica = before.facts.adminTokenSecretArn.split(':');
  replica[3] = standbyRegion;
  report(`2. ${STANDBY} up in ${standby.facts.region}`, standby.seconds, [
    [`runs in the standby region ${standbyRegion}`, standby.facts.region === standbyRegion],
    [
      `tagged Environment ${standby.facts.environmentTags.join(', ')}`,
      standby.facts.environmentTags.join() === 'prod',
    ],
    [
      `image from ${standby.facts.image.split('/')[0] ?? ''}`,
      standby.facts.image.includes(`.ecr.${standbyRegion}.`),
    ],
    [
      `${standby.facts.qdrantVolumes} Qdrant volume(s), ${standby.facts.warmTasks} warm task(s)`,
      standby.facts.qdrantVolumes > 0 && standby.facts.warmTasks >= 1,
    ],
    [
      "signing key from the replica of prod's secret",
      standby.facts.signingKeyFrom === replica.join(':'),
    ],
  ]);

  const joined = spawnStep<PrimaryFacts>({
    kind: 'primary',
    overrides: {
      'lorechat:drStandbyLoadBalancerArn': standby.facts.loadBalancerArn,
      'lorechat:drStandbyOriginDomain': standby.facts.originDomainName,
    },
  });
  report(`3. ${PRIMARY} joined to its standby`, joined.seconds, [
    [
      "standby VPC origin reaches the standby's load balancer",
      joined.facts.standbyOriginArn === standby.facts.loadBalancerArn,
    ],
    [
      `failover group tries ${joined.facts.failoverGroup.join(' then ')}`,
      joined.facts.failoverGroup[0] === 'load-balancer',
    ],
    [
      `widget and chat through the group, the rest on ${joined.facts.paths.default ?? ''}`,
      joined.facts.paths['/widget*'] === 'failover' &&
        joined.facts.paths['/socket.io/*'] === 'failover' &&
        joined.facts.paths.default === 'load-balancer',
    ],
  ]);

  const switched = spawnStep<PrimaryFacts>({
    kind: 'primary',
    overrides: {
      'lorechat:drStandbyLoadBalancerArn': standby.facts.loadBalancerArn,
      'lorechat:drStandbyOriginDomain': standby.facts.originDomainName,
      'lorechat:drFailover': true,
    },
  });
  report(`4. switch: ${PRIMARY} with drFailover true`, switched.seconds, [
    [
      `POST paths on ${switched.facts.paths.default ?? ''}`,
      switched.facts.paths.default === 'standby-load-balancer' &&
        switched.facts.paths['/v1/admin/*'] === 'standby-load-balancer',
    ],
    [
      `failover group tries ${switched.facts.failoverGroup.join(' then ')}`,
      switched.facts.failoverGroup[0] === 'standby-load-balancer',
    ],
  ]);
  process.stdout.write(
    '5. fail back: drFailover false is step 3 again (same configuration, not re-run)\n',
  );
  return held;
}

async function main(argv: string[]): Promise<void> {
  const flag = argv.indexOf('--step');
  if (flag >= 0) {
    await runStep(JSON.parse(argv[flag + 1] ?? '{}') as Step);
    return;
  }
  if (!orchestrate()) process.exitCode = 1;
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
