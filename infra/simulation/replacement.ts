import { isDeepStrictEqual } from 'node:util';
import { type RecordedResource } from './mocks';

/**
 * Whether an update of `aws:ecs/service:Service` replaces the service, for the properties the
 * program changes between deploys, as the AWS provider decides it: a changed capacity provider
 * strategy forces a new service unless `forceNewDeployment` is set and the strategy is neither
 * added nor removed (the provider's capacity-provider-strategy diff customisation, also stated in
 * the SDK's documentation of `capacityProviderStrategies`); a new cluster or name always does.
 * Returns the properties that force replacement; empty for an update in place.
 */
export function ecsServiceReplacement(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): string[] {
  const reasons: string[] = [];
  for (const property of ['cluster', 'name']) {
    if (!isDeepStrictEqual(before[property], after[property])) reasons.push(property);
  }
  const old = (before.capacityProviderStrategies as unknown[] | undefined) ?? [];
  const next = (after.capacityProviderStrategies as unknown[] | undefined) ?? [];
  if (!isDeepStrictEqual(old, next)) {
    const inPlace = after.forceNewDeployment === true && old.length > 0 && next.length > 0;
    if (!inPlace) reasons.push('capacityProviderStrategies');
  }
  return reasons;
}

/**
 * Properties whose change makes the AWS provider replace a resource instead of updating it
 * (ForceNew in its schema), for the resources of a Qdrant node. An instance's user data replaces
 * it only with `userDataReplaceOnChange`; otherwise the provider rewrites it in place, on a
 * stopped instance, and cloud-init never runs it again.
 */
export const REPLACING_PROPERTIES: Readonly<Record<string, readonly string[]>> = {
  'aws:ec2/instance:Instance': [
    'ami',
    'availabilityZone',
    'subnetId',
    'privateIp',
    'associatePublicIpAddress',
  ],
  'aws:ebs/volume:Volume': ['availabilityZone', 'snapshotId', 'encrypted', 'kmsKeyId'],
  'aws:ec2/volumeAttachment:VolumeAttachment': ['instanceId', 'volumeId', 'deviceName'],
  'aws:ec2/subnetCidrReservation:SubnetCidrReservation': [
    'subnetId',
    'cidrBlock',
    'reservationType',
    'description',
  ],
};

export interface Replacement {
  resource: RecordedResource;
  /** The properties that force it, or the replaced resource whose new id it takes. */
  reasons: string[];
  /** The replaced resource whose new id forces this one's replacement, if that is the reason. */
  causedBy?: RecordedResource;
}

/**
 * The resources an update from `previous` to `current` (two runs of the same stack) replaces, as
 * the engine plans it: a changed property that forces replacement, unless the resource ignores
 * changes to it; then, transitively, every resource that names a replaced one's id in such a
 * property, since the new resource has a new id.
 */
export function plannedReplacements(
  previous: readonly RecordedResource[],
  current: readonly RecordedResource[],
): Replacement[] {
  const reasons = new Map<RecordedResource, string[]>();
  const causes = new Map<RecordedResource, RecordedResource>();
  for (const resource of current) {
    const forcing = REPLACING_PROPERTIES[resource.type];
    const before = previous.find(
      (candidate) => candidate.type === resource.type && candidate.name === resource.name,
    );
    if (!forcing || !before) continue;
    const ignored = resource.options?.ignoreChanges ?? [];
    const properties = [
      ...forcing,
      ...(resource.inputs.userDataReplaceOnChange === true ? ['userData'] : []),
    ];
    const changed = properties.filter(
      (property) =>
        !ignored.includes(property) &&
        !isDeepStrictEqual(before.inputs[property], resource.inputs[property]),
    );
    if (changed.length > 0) reasons.set(resource, changed);
  }
  for (let grew = true; grew;) {
    grew = false;
    for (const resource of current) {
      if (reasons.has(resource)) continue;
      const forcing = REPLACING_PROPERTIES[resource.type] ?? [];
      for (const dependency of reasons.keys()) {
        const property = forcing.find((name) => resource.inputs[name] === dependency.id);
        if (property === undefined) continue;
        reasons.set(resource, [`${property} (${dependency.name} replaced)`]);
        causes.set(resource, dependency);
        grew = true;
        break;
      }
    }
  }
  return current
    .filter((resource) => reasons.has(resource))
    .map((resource) => ({
      resource,
      reasons: reasons.get(resource) ?? [],
      causedBy: causes.get(resource),
    }));
}

/** One operation of an update, as it reaches AWS. */
export interface Step {
  operation: 'create' | 'delete' | 'lift termination protection';
  type: string;
  name: string;
}

/** What AWS (or the engine) refuses during an update, with the error it gives. */
export class UpdateFailure extends Error {}

/**
 * Runs the replacements the way the engine orders them, against a model of what AWS allows, and
 * returns the operations in order or throws the error the real update would stop on.
 *
 * The engine: a resource waits for every resource it depends on (by `dependsOn` or by naming its
 * id); a `deleteBeforeReplace` resource is deleted, after its replaced dependents, before its
 * replacement is created; any other replacement is created first and the old resource deleted at
 * the end of the update; a protected resource is never deleted. AWS: a volume is attached to one
 * instance at a time (VolumeInUse), a private address belongs to one instance at a time
 * (InvalidIPAddress.InUse), and an instance with termination protection cannot be terminated
 * (OperationNotPermitted) — which the AWS provider lifts itself before it deletes an instance.
 * Steps the engine could run side by side are listed in registration order here: that two nodes
 * are never down at once rests on each node depending on the previous one (the stack suite checks
 * the `dependsOn` chain).
 */
export function runReplacements(
  replacements: readonly Replacement[],
  current: readonly RecordedResource[],
): Step[] {
  const replaced = new Set(replacements.map(({ resource }) => resource));
  const steps: Step[] = [];
  const step = (operation: Step['operation'], resource: RecordedResource) =>
    steps.push({ operation, type: resource.type, name: resource.name });
  // What exists in AWS: every current resource, old generation, until deleted.
  const live = new Map<RecordedResource, 'old' | 'new'>(
    current.map((resource) => [resource, 'old']),
  );
  const deleted = new Set<RecordedResource>();

  const dependsOn = (resource: RecordedResource, dependency: RecordedResource) =>
    resource !== dependency &&
    ((dependency.urn !== undefined && resource.options?.dependsOn.includes(dependency.urn)) ||
      JSON.stringify(resource.inputs).includes(`"${dependency.id}"`));

  const remove = (resource: RecordedResource, { keepLive = false } = {}) => {
    if (resource.protect) {
      throw new UpdateFailure(
        `${resource.name} is protected: the engine refuses to delete (or replace) it`,
      );
    }
    if (resource.type === 'aws:ec2/instance:Instance' && resource.inputs.disableApiTermination) {
      step('lift termination protection', resource);
    }
    step('delete', resource);
    if (keepLive) return;
    live.delete(resource);
    deleted.add(resource);
  };
  const create = (resource: RecordedResource) => {
    for (const [other, generation] of live) {
      if (other === resource && generation === 'new') continue;
      if (
        resource.type === 'aws:ec2/volumeAttachment:VolumeAttachment' &&
        other.type === resource.type &&
        other.inputs.volumeId === resource.inputs.volumeId
      ) {
        throw new UpdateFailure(
          `VolumeInUse: ${String(resource.inputs.volumeId)} is still attached by ${other.name} when ${resource.name} is created`,
        );
      }
      if (
        resource.type === 'aws:ec2/instance:Instance' &&
        other.type === resource.type &&
        typeof resource.inputs.privateIp === 'string' &&
        other.inputs.privateIp === resource.inputs.privateIp
      ) {
        throw new UpdateFailure(
          `InvalidIPAddress.InUse: ${resource.inputs.privateIp} still belongs to the old ${other.name}`,
        );
      }
    }
    step('create', resource);
    live.set(resource, 'new');
  };

  const done = new Set<RecordedResource>();
  const pendingDeletes: RecordedResource[] = [];
  const visit = (resource: RecordedResource) => {
    if (done.has(resource)) return;
    done.add(resource);
    for (const dependency of current) if (dependsOn(resource, dependency)) visit(dependency);
    if (!replaced.has(resource)) return;
    if (resource.options?.deleteBeforeReplace) {
      // Only the dependents this replacement itself forces out go first (the engine diffs each
      // dependent with the replaced resource's outputs unknown); a dependent replaced for its
      // own reasons waits for its turn.
      const dependents = replacements
        .filter(({ causedBy, resource: other }) => causedBy === resource && !deleted.has(other))
        .map(({ resource: other }) => other);
      for (const dependent of dependents.reverse()) remove(dependent);
      if (!deleted.has(resource)) remove(resource);
      create(resource);
    } else {
      create(resource);
      pendingDeletes.push(resource);
    }
  };
  for (const resource of current) visit(resource);
  // The old generations go last; the new ones stay live.
  for (const resource of pendingDeletes.reverse()) remove(resource, { keepLive: true });
  return steps;
}
