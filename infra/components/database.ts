import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';

export const POSTGRES_PORT = 5432;

/**
 * Aurora PostgreSQL 16: 16.3 and later scale Aurora Serverless v2 to 0 ACUs and pause; minor
 * versions after this one arrive in the maintenance window (`autoMinorVersionUpgrade`).
 */
export const AURORA_ENGINE_VERSION = '16.6';

/** The certificate authority the instances present; its root is in the RDS bundle below. */
export const RDS_CA = 'rds-ca-rsa2048-g1';

/**
 * Where the image keeps the Amazon RDS certificate bundle (backend/Dockerfile): the connection
 * verifies the server's certificate and host name against it.
 */
export const RDS_CA_BUNDLE_PATH = '/app/certs/rds-global-bundle.pem';

export const DATABASE_NAME = 'lorechat';
export const DATABASE_USER = 'lorechat';

export interface DatabaseArgs {
  vpcId: pulumi.Input<string>;
  /** Subnets without any route out of the VPC, one per zone. */
  subnetIds: pulumi.Input<string[]>;
  /** The service's security group (the ingest job shares it): the only one let in. */
  clientSecurityGroupId: pulumi.Input<string>;
  /** ACUs; 0 lets the instances pause after `autoPauseSeconds` without connections. */
  minCapacity: number;
  maxCapacity: number;
  autoPauseSeconds: number;
  /** Readers besides the writer, failover targets in other zones. */
  readers: number;
  backupDays: number;
  deletionProtection: boolean;
}

/**
 * Aurora Serverless v2 PostgreSQL for the conversation log every task shares: encrypted, in the
 * isolated subnets, reachable from the service's security group only, over TLS that the client
 * verifies. Its URL (password included) is a Pulumi secret, which the program stores in Secrets
 * Manager with the server's other keys: never a plain environment variable or plain state.
 */
export class Database extends pulumi.ComponentResource {
  /** `DATABASE_URL`, password included: a secret output. */
  readonly url: pulumi.Output<string>;
  /** The cluster's generated identifier: the `DBClusterIdentifier` of its metrics. */
  readonly clusterIdentifier: pulumi.Output<string>;

  constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    super('lorechat:database:Database', name, {}, opts);
    checkCapacity(args);

    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-database`,
      {
        vpcId: args.vpcId,
        description: 'LoreChat conversation log: the service in, nothing out',
        revokeRulesOnDelete: true,
      },
      { parent: this },
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-database-from-service`,
      {
        securityGroupId: securityGroup.id,
        referencedSecurityGroupId: args.clientSecurityGroupId,
        ipProtocol: 'tcp',
        fromPort: POSTGRES_PORT,
        toPort: POSTGRES_PORT,
        description: 'Only the LoreChat tasks reach the database',
      },
      { parent: this },
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-service-to-database`,
      {
        securityGroupId: args.clientSecurityGroupId,
        referencedSecurityGroupId: securityGroup.id,
        ipProtocol: 'tcp',
        fromPort: POSTGRES_PORT,
        toPort: POSTGRES_PORT,
        description: 'The conversation log',
      },
      { parent: this },
    );

    const subnetGroup = new aws.rds.SubnetGroup(
      `${name}-database`,
      { description: 'LoreChat conversation log: isolated subnets', subnetIds: args.subnetIds },
      { parent: this },
    );
    // Letters and digits only: the password goes into a URL unescaped.
    const password = new random.RandomPassword(
      `${name}-database-password`,
      { length: 40, special: false },
      { parent: this },
    );
    const cluster = new aws.rds.Cluster(
      `${name}-database`,
      {
        engine: 'aurora-postgresql',
        engineMode: 'provisioned',
        engineVersion: AURORA_ENGINE_VERSION,
        allowMajorVersionUpgrade: false,
        databaseName: DATABASE_NAME,
        masterUsername: DATABASE_USER,
        masterPassword: password.result,
        port: POSTGRES_PORT,
        dbSubnetGroupName: subnetGroup.name,
        vpcSecurityGroupIds: [securityGroup.id],
        storageEncrypted: true,
        serverlessv2ScalingConfiguration: scalingConfiguration(args),
        backupRetentionPeriod: args.backupDays,
        copyTagsToSnapshot: true,
        deletionProtection: args.deletionProtection,
        // A protected stack keeps a last snapshot when the cluster is deleted; another starts clean.
        skipFinalSnapshot: !args.deletionProtection,
        finalSnapshotIdentifier: args.deletionProtection ? `${name}-database-final` : undefined,
      },
      { parent: this },
    );
    const instance = (suffix: string, promotionTier: number) =>
      new aws.rds.ClusterInstance(
        `${name}-database-${suffix}`,
        {
          clusterIdentifier: cluster.id,
          instanceClass: 'db.serverless',
          engine: 'aurora-postgresql',
          engineVersion: cluster.engineVersion,
          dbSubnetGroupName: subnetGroup.name,
          publiclyAccessible: false,
          caCertIdentifier: RDS_CA,
          autoMinorVersionUpgrade: true,
          // Tiers 0 and 1 scale with the writer and pause with it, so a reader is ready to take over.
          promotionTier,
        },
        { parent: this },
      );
    instance('writer', 0);
    for (let reader = 1; reader <= args.readers; reader += 1) instance(`reader-${reader}`, 1);

    this.url = databaseUrl(cluster.endpoint, password.result);
    this.clusterIdentifier = cluster.clusterIdentifier;

    this.registerOutputs({ url: this.url, clusterIdentifier: this.clusterIdentifier });
  }
}

/** Serverless v2 bounds; a pause delay only when the minimum lets the instances pause. */
export function scalingConfiguration(args: {
  minCapacity: number;
  maxCapacity: number;
  autoPauseSeconds: number;
}): aws.types.input.rds.ClusterServerlessv2ScalingConfiguration {
  return {
    minCapacity: args.minCapacity,
    maxCapacity: args.maxCapacity,
    ...(args.minCapacity === 0 ? { secondsUntilAutoPause: args.autoPauseSeconds } : {}),
  };
}

/**
 * `DATABASE_URL` with TLS the client verifies: `verify-full` checks the certificate against the RDS
 * bundle in the image and the host name against the cluster's endpoint.
 */
export function databaseUrl(
  host: pulumi.Input<string>,
  password: pulumi.Input<string>,
): pulumi.Output<string> {
  const tls = `sslmode=verify-full&sslrootcert=${RDS_CA_BUNDLE_PATH}`;
  return pulumi.secret(
    pulumi.interpolate`postgresql://${DATABASE_USER}:${password}@${host}:${POSTGRES_PORT}/${DATABASE_NAME}?${tls}`,
  );
}

function checkCapacity(args: DatabaseArgs): void {
  if (args.minCapacity > args.maxCapacity) {
    throw new Error(
      `the database's minimum capacity (${args.minCapacity} ACUs) exceeds its maximum (${args.maxCapacity})`,
    );
  }
}
