import { type RecordedResource } from './mocks';
import { type ProgramRun } from './runProgram';

/**
 * The facts of each region-switch step, read from a run of the program under mocks: what an
 * operator would check after each `pulumi up` of the runbook (docs/operations.md, "Disaster
 * recovery"). Each step's facts feed the next step's configuration, as the runbook's
 * `pulumi stack output` / `pulumi config set` pairs do.
 */

export interface PrimaryFacts {
  adminTokenSecretArn: string;
  imageUri: string;
  /** Regions the server's secrets are replicated to. */
  secretReplicaRegions: string[];
  /** Regions each Qdrant snapshot is copied to. */
  snapshotCopyRegions: string[];
  /** The standby VPC origin's load balancer, when the standby is joined. */
  standbyOriginArn?: string;
  /** Members of the failover group, in the order CloudFront tries them. */
  failoverGroup: string[];
  /** Origin (or group) each path goes to. */
  paths: Record<string, string>;
}

export interface StandbyFacts {
  region: string;
  environmentTags: string[];
  image: string;
  qdrantVolumes: number;
  warmTasks: number;
  /** Where the tasks read the visitor token signing key. */
  signingKeyFrom: string;
  loadBalancerArn: string;
  originDomainName: string;
}

const ofType = (run: ProgramRun, type: string) =>
  run.resources.filter((resource) => resource.type === type);

function only(run: ProgramRun, type: string, name?: string): RecordedResource {
  const found = ofType(run, type).filter((resource) => !name || resource.name === name);
  const [first] = found;
  if (found.length !== 1 || !first) throw new Error(`expected one ${type}, found ${found.length}`);
  return first;
}

/** A recorded input as JSON: providers receive nested inputs as they were declared. */
const record = (value: unknown) => (value ?? {}) as Record<string, unknown>;
const list = (value: unknown) => (Array.isArray(value) ? (value as unknown[]) : []);

export function primaryFacts(run: ProgramRun): PrimaryFacts {
  const distribution = only(run, 'aws:cloudfront/distribution:Distribution');
  const behaviors = [
    record(distribution.inputs.defaultCacheBehavior),
    ...list(distribution.inputs.orderedCacheBehaviors).map(record),
  ];
  const [group] = list(distribution.inputs.originGroups).map(record);
  const standby = ofType(run, 'aws:cloudfront/vpcOrigin:VpcOrigin').find((origin) =>
    origin.name.endsWith('-standby-origin'),
  );
  const schedules = ofType(run, 'aws:dlm/lifecyclePolicy:LifecyclePolicy').flatMap((policy) =>
    list(record(policy.inputs.policyDetails).schedules).map(record),
  );
  return {
    adminTokenSecretArn: String(run.outputs.adminTokenSecretArn),
    imageUri: String(run.outputs.imageUri),
    secretReplicaRegions: [
      ...new Set(
        ofType(run, 'aws:secretsmanager/secret:Secret').flatMap((secret) =>
          list(secret.inputs.replicas).map((replica) => String(record(replica).region)),
        ),
      ),
    ],
    snapshotCopyRegions: [
      ...new Set(
        schedules.flatMap((schedule) =>
          list(schedule.crossRegionCopyRules).map((rule) => String(record(rule).target)),
        ),
      ),
    ],
    standbyOriginArn: standby
      ? String(record(standby.inputs.vpcOriginEndpointConfig).arn)
      : undefined,
    failoverGroup: list(group?.members).map((member) => String(record(member).originId)),
    paths: Object.fromEntries(
      behaviors.map((behavior) => [
        typeof behavior.pathPattern === 'string' ? behavior.pathPattern : 'default',
        String(behavior.targetOriginId),
      ]),
    ),
  };
}

export function standbyFacts(run: ProgramRun): StandbyFacts {
  const regional = ofType(run, 'pulumi:providers:aws').filter(
    (provider) => provider.inputs.region !== 'us-east-1',
  );
  // The service's task definition, not the ingest job's.
  const service = ofType(run, 'aws:ecs/taskDefinition:TaskDefinition').find(
    (definition) => !String(definition.inputs.family).endsWith('-ingest'),
  );
  const definition = list(JSON.parse(String(service?.inputs.containerDefinitions)) as unknown).map(
    record,
  )[0];
  const signingKey = list(definition?.secrets)
    .map(record)
    .find((secret) => secret.name === 'VISITOR_TOKEN_SECRET');
  return {
    region: regional.map((provider) => String(provider.inputs.region)).join(', '),
    environmentTags: [
      ...new Set(
        run.resources.flatMap((resource) => {
          const tags = record(resource.inputs.tagsAll);
          return typeof tags.Environment === 'string' ? [tags.Environment] : [];
        }),
      ),
    ],
    image: String(definition?.image),
    qdrantVolumes: ofType(run, 'aws:ebs/volume:Volume').length,
    warmTasks: Number(only(run, 'aws:ecs/service:Service').inputs.desiredCount),
    signingKeyFrom: String(signingKey?.valueFrom).replace(/:VISITOR_TOKEN_SECRET:.*$/, ''),
    loadBalancerArn: String(run.outputs.loadBalancerArn),
    originDomainName: String(run.outputs.originDomainName),
  };
}
