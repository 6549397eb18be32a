import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import { SecretStore, type ContainerSecret } from './secrets';

export const REDIS_PORT = 6379;

/** Redis OSS 7.1: the newest engine line with ElastiCache's `redis` engine. */
export const REDIS_ENGINE_VERSION = '7.1';

/**
 * When ElastiCache takes the daily snapshot (UTC): after the 03:00 crawl has settled, and apart
 * from the weekly maintenance window, which must not overlap it (ElastiCache refuses that).
 */
export const REDIS_SNAPSHOT_WINDOW = '05:00-06:00';
export const REDIS_MAINTENANCE_WINDOW = 'sun:07:00-sun:08:00';

export interface CacheArgs {
  nodeType: string;
  /** Read replicas; with one or more, the primary fails over to another zone automatically. */
  replicas: number;
  /** Days of daily snapshots kept; 0 for none. */
  snapshotDays: number;
  subnetIds: pulumi.Input<string[]>;
  vpcId: pulumi.Input<string>;
  /** The service's security group: the only one allowed to reach Redis. */
  clientSecurityGroupId: pulumi.Input<string>;
  deletionProtection: boolean;
}

/**
 * ElastiCache for Redis: conversation memory, visitor quotas and the Socket.IO adapter shared by
 * all tasks. Encrypted at rest and in transit, password-protected, and reachable only from the
 * service; the connection URL, password included, reaches the tasks as a secret.
 */
export class Cache extends pulumi.ComponentResource {
  /** `REDIS_URL`, from Secrets Manager. */
  readonly containerSecrets: ContainerSecret[];

  constructor(name: string, args: CacheArgs, opts?: pulumi.ComponentResourceOptions) {
    super('lorechat:cache:Cache', name, {}, opts);

    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-redis`,
      {
        vpcId: args.vpcId,
        description: 'LoreChat Redis: the service in, nothing out',
        revokeRulesOnDelete: true,
      },
      { parent: this },
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-redis-from-service`,
      {
        securityGroupId: securityGroup.id,
        referencedSecurityGroupId: args.clientSecurityGroupId,
        ipProtocol: 'tcp',
        fromPort: REDIS_PORT,
        toPort: REDIS_PORT,
        description: 'Only the LoreChat tasks reach Redis',
      },
      { parent: this },
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-service-to-redis`,
      {
        securityGroupId: args.clientSecurityGroupId,
        referencedSecurityGroupId: securityGroup.id,
        ipProtocol: 'tcp',
        fromPort: REDIS_PORT,
        toPort: REDIS_PORT,
        description: 'Conversations, quotas and Socket.IO messages',
      },
      { parent: this },
    );

    // Nodes in these subnets get no public address: Redis is reachable inside the VPC only.
    const subnetGroup = new aws.elasticache.SubnetGroup(
      `${name}-redis`,
      { description: 'LoreChat Redis subnets', subnetIds: args.subnetIds },
      { parent: this },
    );
    const authToken = new random.RandomPassword(
      `${name}-redis-auth`,
      // ElastiCache refuses @, " and / in tokens; letters and digits also keep the URL plain.
      { length: 48, special: false },
      { parent: this },
    );
    // A final snapshot name is unique in the account and region, and outlives the stack: a
    // random suffix, new with each cache, lets a stack be destroyed and created again.
    const finalSnapshotSuffix = args.deletionProtection
      ? new random.RandomId(`${name}-redis-final-snapshot`, { byteLength: 4 }, { parent: this })
      : undefined;
    const highlyAvailable = args.replicas > 0;
    const replicationGroup = new aws.elasticache.ReplicationGroup(
      `${name}-redis`,
      {
        description: 'LoreChat conversations, quotas and Socket.IO adapter',
        engine: 'redis',
        engineVersion: REDIS_ENGINE_VERSION,
        nodeType: args.nodeType,
        numCacheClusters: 1 + args.replicas,
        automaticFailoverEnabled: highlyAvailable,
        multiAzEnabled: highlyAvailable,
        port: REDIS_PORT,
        subnetGroupName: subnetGroup.name,
        securityGroupIds: [securityGroup.id],
        atRestEncryptionEnabled: true,
        transitEncryptionEnabled: true,
        authToken: authToken.result,
        autoMinorVersionUpgrade: true,
        snapshotRetentionLimit: args.snapshotDays,
        snapshotWindow: args.snapshotDays > 0 ? REDIS_SNAPSHOT_WINDOW : undefined,
        maintenanceWindow: REDIS_MAINTENANCE_WINDOW,
        // A protected stack keeps a last snapshot when the cache is deleted.
        finalSnapshotIdentifier: finalSnapshotSuffix
          ? pulumi.interpolate`${name}-redis-final-${finalSnapshotSuffix.hex}`
          : undefined,
      },
      { parent: this },
    );

    const secrets = new SecretStore(
      `${name}-redis`,
      {
        description: 'LoreChat: Redis connection URL with its password',
        values: {
          REDIS_URL: redisUrl(replicationGroup.primaryEndpointAddress, authToken.result),
        },
        deletionProtection: args.deletionProtection,
      },
      { parent: this },
    );
    this.containerSecrets = secrets.containerSecrets;

    this.registerOutputs({});
  }
}

/** A TLS (`rediss:`) URL with the AUTH token as password, the form Redis clients accept. */
export function redisUrl(
  host: pulumi.Input<string>,
  authToken: pulumi.Input<string>,
): pulumi.Output<string> {
  return pulumi.secret(pulumi.interpolate`rediss://:${authToken}@${host}:${REDIS_PORT}`);
}

/** Minutes after Sunday 00:00 UTC that a window (`hh:mm-hh:mm` daily, or `ddd:hh:mm-ddd:hh:mm`) covers. */
export function windowMinutes(window: string): [number, number][] {
  const days = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
  const minute = (text: string) => {
    const [hours = 0, minutes = 0] = text.split(':').map(Number);
    return hours * 60 + minutes;
  };
  const [start = '', end = ''] = window.split('-');
  const weekly = /^[a-z]{3}:/.test(start);
  const spans = weekly ? [0] : days.map((_, day) => day);
  return spans.map((day) => {
    const from = weekly
      ? days.indexOf(start.slice(0, 3)) * 1440 + minute(start.slice(4))
      : day * 1440 + minute(start);
    const to = weekly
      ? days.indexOf(end.slice(0, 3)) * 1440 + minute(end.slice(4))
      : day * 1440 + minute(end);
    // A window may run past midnight (or past Saturday into Sunday).
    return [from, to > from ? to : to + (weekly ? 7 * 1440 : 1440)];
  });
}

/** Whether two ElastiCache windows overlap in any week. */
export function windowsOverlap(a: string, b: string): boolean {
  return windowMinutes(a).some(([aFrom, aTo]) =>
    windowMinutes(b).some(([bFrom, bTo]) => aFrom < bTo && bFrom < aTo),
  );
}
