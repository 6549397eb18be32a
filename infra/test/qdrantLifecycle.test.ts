import { type RecordedResource } from '../simulation/mocks';
import {
  UpdateFailure,
  plannedReplacements,
  runReplacements,
  type Step,
} from '../simulation/replacement';
import { type StackFileValue } from '../simulation/stackFiles';
import { policies } from '../policy/rules';
import { targetOf, violationsOf } from './support/policies';
import { allOf } from './support/recorded';

/**
 * What docs/operations.md tells operators to do with the prod Qdrant cluster, run as updates: the
 * program runs twice, as `pulumi up` would after a config change (the second run knows the first
 * one's state), and the replacement model (simulation/replacement.ts) orders the replacements as
 * the engine does and refuses what AWS refuses.
 */
async function deploy(
  overrides: Record<string, StackFileValue> = {},
  previous: RecordedResource[] = [],
): Promise<RecordedResource[]> {
  let resources: RecordedResource[] = [];
  await jest.isolateModulesAsync(async () => {
    const { runProgram } = await import('../simulation/runProgram');
    resources = (await runProgram('prod', overrides, previous)).resources;
  });
  return resources;
}

const run = (resources: RecordedResource[]) => ({
  stack: 'prod',
  resources,
  calls: [],
  outputs: {},
});
const INSTANCE = 'aws:ec2/instance:Instance';
const ATTACHMENT = 'aws:ec2/volumeAttachment:VolumeAttachment';
const VOLUME = 'aws:ebs/volume:Volume';
const NODES = ['lorechat-prod-qdrant', 'lorechat-prod-qdrant-2', 'lorechat-prod-qdrant-3'];
const describeStep = ({ operation, name }: Step) => `${operation} ${name}`;

describe('the prod Qdrant cluster under updates', () => {
  let first: RecordedResource[] = [];
  beforeAll(async () => {
    first = await deploy();
  }, 60_000);

  it('upgrades every node on a new qdrantVersion, one node at a time, each deleted before it is replaced', async () => {
    const upgraded = await deploy({ 'lorechat:qdrantVersion': 'v1.18.3' }, first);
    const replacements = plannedReplacements(first, upgraded);
    expect(
      replacements.map(({ resource, reasons }) => [resource.name, resource.type, reasons]),
    ).toEqual([
      ...NODES.flatMap((node) => [
        [node, INSTANCE, ['userData']],
        [`${node}-data`, ATTACHMENT, [`instanceId (${node} replaced)`]],
      ]),
    ]);
    for (const instance of allOf(run(upgraded), INSTANCE)) {
      expect(instance.inputs.userData).toContain('qdrant/qdrant:v1.18.3-unprivileged');
    }

    const steps = runReplacements(replacements, upgraded).map(describeStep);
    // The volume detaches from the stopped node first; the termination protection the provider
    // lifts never blocks the replacement; the next node goes down only once this one is back.
    expect(steps).toEqual(
      NODES.flatMap((node) => [
        `delete ${node}-data`,
        `lift termination protection ${node}`,
        `delete ${node}`,
        `create ${node}`,
        `create ${node}-data`,
      ]),
    );
    // The data volumes and their snapshots' tags are untouched.
    expect(allOf(run(upgraded), VOLUME).map((volume) => volume.id)).toEqual(
      allOf(run(first), VOLUME).map((volume) => volume.id),
    );
  }, 60_000);

  it('failed with VolumeInUse the way the program replaced a node before (create first)', async () => {
    const upgraded = await deploy({ 'lorechat:qdrantVersion': 'v1.18.3' }, first);
    // The same update with the options the single instance had: no deleteBeforeReplace and an
    // address AWS picks, so the only clash left is the data volume.
    const before = upgraded.map((resource) => ({
      ...resource,
      inputs: { ...resource.inputs, privateIp: undefined },
      options: resource.options && { ...resource.options, deleteBeforeReplace: false },
    }));
    const replacements = plannedReplacements(
      first.map((resource) => ({
        ...resource,
        inputs: { ...resource.inputs, privateIp: undefined },
      })),
      before,
    );
    expect(() => runReplacements(replacements, before)).toThrow(UpdateFailure);
    expect(() => runReplacements(replacements, before)).toThrow(/^VolumeInUse: vol-/);
  }, 60_000);

  it('creates a new stack’s volumes from snapshots, one per node, and never replaces a volume in use for a new snapshot id', async () => {
    const snapshots = [
      'snap-0a1b2c3d4e5f60718',
      'snap-0b1b2c3d4e5f60718',
      'snap-0c1b2c3d4e5f60718',
    ];
    const restored = await deploy({ 'lorechat:qdrantRestoreSnapshotIds': snapshots });
    const volumeOf = (resources: RecordedResource[], node: string) =>
      allOf(run(resources), VOLUME).find((volume) => volume.name === `${node}-data`);
    expect(NODES.map((node) => volumeOf(restored, node)?.inputs.snapshotId)).toEqual(snapshots);

    // Set on the running stack, the ids change nothing: the volumes keep their data.
    const later = await deploy({ 'lorechat:qdrantRestoreSnapshotIds': snapshots }, first);
    expect(plannedReplacements(first, later)).toEqual([]);
    // Without ignoreChanges it would replace every protected volume, which the engine refuses.
    const unguarded = later.map((resource) => ({
      ...resource,
      options: resource.options && { ...resource.options, ignoreChanges: [] },
    }));
    const replacements = plannedReplacements(first, unguarded);
    expect(replacements.map(({ resource }) => resource.type)).toContain(VOLUME);
    expect(() => runReplacements(replacements, unguarded)).toThrow(/is protected/);
  }, 60_000);

  it('is refused by the policy pack when prod runs a single Qdrant node or a day of Redis snapshots', async () => {
    const shrunk = await deploy({ 'lorechat:qdrantNodes': 1, 'lorechat:redisSnapshotDays': 1 });
    const violations = await violationsOf(policies, shrunk.map(targetOf));
    expect(violations.map(({ policy, message }) => `${policy}: ${message}`)).toEqual([
      expect.stringMatching(/^qdrant-highly-available: Qdrant runs on 1 node\(s\) in production/),
      expect.stringMatching(/^redis-snapshots: Redis keeps 1 day\(s\) of snapshots in production/),
    ]);
  }, 60_000);

  it('names the final Redis snapshot anew each time the stack is created', async () => {
    const again = await deploy();
    const finalName = (resources: RecordedResource[]) =>
      allOf(run(resources), 'aws:elasticache/replicationGroup:ReplicationGroup')[0]?.inputs
        .finalSnapshotIdentifier;
    expect(finalName(again)).toMatch(/^lorechat-prod-redis-final-[0-9a-f]{8}$/);
    expect(finalName(again)).not.toBe(finalName(first));
  }, 60_000);
});
