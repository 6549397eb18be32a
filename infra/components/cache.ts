import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import { SecretStore, type ContainerSecret } from './secrets';

export const REDIS_PORT = 6379;

/** Redis OSS 7.1: the newest engine line with ElastiCache's `redis` engine. */
export const REDIS_ENGINE_VERSION = '7.1';

export interface CacheArgs {
  nodeType: string;
  /** Read replicas; with one or more, the primary fails over to another zone automatically. */
  replicas: number;
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
        // A protected stack keeps a last snapshot when the cache is deleted.
        finalSnapshotIdentifier: args.deletionProtection ? `${name}-redis-final` : undefined,
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
