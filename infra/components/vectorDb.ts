import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import { policyDocument, serviceTrustPolicy } from '../iam';
import {
  QDRANT_P2P_PORT,
  QDRANT_PORT,
  qdrantClusterEnvironment,
  qdrantServiceUrl,
} from './qdrantCluster';
import { qdrantNodes } from './qdrantNodes';
import { snapshotCopyRules, type SnapshotCopy } from './dr';
import { SecretStore, type ContainerSecret } from './secrets';

/** Amazon Linux 2023 for arm64, as AWS publishes its latest AMI id. */
export const AMAZON_LINUX_ARM64_AMI_PARAMETER =
  '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64';

export type VectorDbArgs =
  | {
      mode: 'managed';
      /** The managed cluster's URL, such as https://xyz.eu-central-1-0.aws.cloud.qdrant.io:6333 */
      url: string;
      apiKey: pulumi.Input<string>;
      deletionProtection: boolean;
    }
  | {
      mode: 'self-hosted';
      version: string;
      instanceType: string;
      volumeSizeGiB: number;
      snapshotsKept: number;
      /** 1, or an odd number of nodes, each in its own subnet (and so its own zone). */
      nodes: number;
      /** When the daily snapshots start, `hh:mm` UTC. */
      snapshotTime: string;
      /** Snapshots to create the data volumes from, one per node; empty for blank volumes. */
      restoreSnapshotIds: string[];
      /** One subnet per zone; node `i` runs in subnet `i`. */
      subnetIds: pulumi.Input<string[]>;
      vpcId: pulumi.Input<string>;
      /** The service's security group: the only one allowed to reach Qdrant. */
      clientSecurityGroupId: pulumi.Input<string>;
      region: string;
      deletionProtection: boolean;
      /** Disaster recovery: copy each snapshot to the standby region (components/dr.ts). */
      snapshotCopy?: SnapshotCopy;
    };

/**
 * The Qdrant vector database, either a managed cluster the stack only points at, or Qdrant on
 * Graviton EC2 instances: one, or a cluster of one node per zone (qdrantNodes.ts). Qdrant does not
 * support network file systems such as EFS, so each node's data lives on an encrypted gp3 EBS
 * volume that outlives the instance and is snapshotted daily, and each instance recovers itself
 * when its host fails.
 */
export class VectorDb extends pulumi.ComponentResource {
  /** What the backend connects to. */
  readonly url: pulumi.Output<string>;
  /** `QDRANT_API_KEY`, from Secrets Manager. */
  readonly containerSecrets: ContainerSecret[];
  /** The server's collection settings for a cluster (shards, copies, write consistency). */
  readonly environment: Record<string, string>;
  /** The self-hosted nodes' instances, in node order; empty for a managed cluster. */
  readonly instanceIds: pulumi.Output<string>[];

  constructor(name: string, args: VectorDbArgs, opts?: pulumi.ComponentResourceOptions) {
    super('lorechat:vectorDb:VectorDb', name, {}, opts);

    if (args.mode === 'managed') {
      const secrets = new SecretStore(
        `${name}-qdrant`,
        {
          description: 'LoreChat: API key of the managed Qdrant cluster',
          values: { QDRANT_API_KEY: args.apiKey },
          deletionProtection: args.deletionProtection,
        },
        { parent: this },
      );
      this.url = pulumi.output(args.url);
      this.containerSecrets = secrets.containerSecrets;
      // Qdrant Cloud sets its own replication; the server keeps its defaults.
      this.environment = {};
      this.instanceIds = [];
      this.registerOutputs({ url: this.url });
      return;
    }

    const apiKey = new random.RandomPassword(
      `${name}-qdrant-api-key`,
      { length: 40, special: false },
      { parent: this },
    );
    const secrets = new SecretStore(
      `${name}-qdrant`,
      {
        description: 'LoreChat: API key of the self-hosted Qdrant',
        values: { QDRANT_API_KEY: apiKey.result },
        deletionProtection: args.deletionProtection,
      },
      { parent: this },
    );

    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-qdrant`,
      {
        vpcId: args.vpcId,
        description: 'LoreChat Qdrant: the service in, HTTPS out',
        revokeRulesOnDelete: true,
      },
      { parent: this },
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-qdrant-from-service`,
      {
        securityGroupId: securityGroup.id,
        referencedSecurityGroupId: args.clientSecurityGroupId,
        ipProtocol: 'tcp',
        fromPort: QDRANT_PORT,
        toPort: QDRANT_PORT,
        description: 'Only the LoreChat tasks reach Qdrant',
      },
      { parent: this },
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-service-to-qdrant`,
      {
        securityGroupId: args.clientSecurityGroupId,
        referencedSecurityGroupId: securityGroup.id,
        ipProtocol: 'tcp',
        fromPort: QDRANT_PORT,
        toPort: QDRANT_PORT,
        description: 'Searches and upserts to Qdrant',
      },
      { parent: this },
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-qdrant-internet`,
      {
        securityGroupId: securityGroup.id,
        cidrIpv4: '0.0.0.0/0',
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        description: 'Packages, the Qdrant image, Secrets Manager and Systems Manager',
      },
      { parent: this },
    );

    const role = new aws.iam.Role(
      `${name}-qdrant`,
      {
        description: 'LoreChat Qdrant instance: reads its API key, reachable by Session Manager',
        assumeRolePolicy: serviceTrustPolicy('ec2.amazonaws.com'),
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-qdrant-api-key`,
      {
        role: role.id,
        policy: policyDocument([
          {
            Effect: 'Allow',
            Action: 'secretsmanager:GetSecretValue',
            Resource: secrets.arn,
          },
        ]),
      },
      { parent: this },
    );
    // Operators get a shell through Session Manager: no SSH key, no open port 22.
    new aws.iam.RolePolicyAttachment(
      `${name}-qdrant-ssm`,
      { role: role.name, policyArn: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore' },
      { parent: this },
    );
    const instanceProfile = new aws.iam.InstanceProfile(
      `${name}-qdrant`,
      { role: role.name },
      { parent: this },
    );

    const snapshotTag = `${name}-qdrant`;
    const ami = aws.ssm.getParameterOutput(
      { name: AMAZON_LINUX_ARM64_AMI_PARAMETER },
      { parent: this },
    );
    if (args.nodes > 1) clusterPeerRules(name, securityGroup.id, this);
    const nodes = qdrantNodes(
      name,
      {
        nodes: args.nodes,
        subnetIds: args.subnetIds,
        version: args.version,
        instanceType: args.instanceType,
        volumeSizeGiB: args.volumeSizeGiB,
        restoreSnapshotIds: args.restoreSnapshotIds,
        region: args.region,
        deletionProtection: args.deletionProtection,
        snapshotTag,
        amiId: ami.value,
        securityGroupId: securityGroup.id,
        instanceProfileName: instanceProfile.name,
        secretArn: secrets.arn,
      },
      this,
    );

    const lifecycleRole = new aws.iam.Role(
      `${name}-qdrant-snapshots`,
      {
        description: 'Data Lifecycle Manager: daily snapshots of the Qdrant volumes',
        assumeRolePolicy: serviceTrustPolicy('dlm.amazonaws.com'),
      },
      { parent: this },
    );
    new aws.iam.RolePolicyAttachment(
      `${name}-qdrant-snapshots`,
      {
        role: lifecycleRole.name,
        policyArn: 'arn:aws:iam::aws:policy/service-role/AWSDataLifecycleManagerServiceRole',
      },
      { parent: this },
    );
    new aws.dlm.LifecyclePolicy(
      `${name}-qdrant-snapshots`,
      {
        description: `Daily snapshots of ${snapshotTag}`,
        executionRoleArn: lifecycleRole.arn,
        state: 'ENABLED',
        policyDetails: {
          resourceTypes: ['VOLUME'],
          targetTags: { Snapshot: snapshotTag },
          schedules: [
            {
              name: 'daily',
              // Apart from the nightly crawl (the configuration checks the gap), so a snapshot
              // never holds a half-written index.
              createRule: { interval: 24, intervalUnit: 'HOURS', times: args.snapshotTime },
              retainRule: { count: args.snapshotsKept },
              copyTags: true,
              crossRegionCopyRules: snapshotCopyRules(args.snapshotCopy),
            },
          ],
        },
      },
      { parent: this },
    );

    this.url = pulumi.all(nodes.map((node) => node.address)).apply(qdrantServiceUrl);
    this.containerSecrets = secrets.containerSecrets;
    this.environment = qdrantClusterEnvironment(args.nodes);
    this.instanceIds = nodes.map((node) => node.instanceId);

    this.registerOutputs({ url: this.url, instanceIds: this.instanceIds });
  }
}

/**
 * Cluster nodes talk to each other on the peer-to-peer port, which can also write: only the nodes'
 * own security group may reach it, never the service or the internet.
 */
function clusterPeerRules(
  name: string,
  securityGroupId: pulumi.Input<string>,
  parent: pulumi.Resource,
): void {
  new aws.vpc.SecurityGroupIngressRule(
    `${name}-qdrant-peers-in`,
    {
      securityGroupId,
      referencedSecurityGroupId: securityGroupId,
      ipProtocol: 'tcp',
      fromPort: QDRANT_P2P_PORT,
      toPort: QDRANT_P2P_PORT,
      description: 'Qdrant cluster consensus and replication, between the nodes only',
    },
    { parent },
  );
  new aws.vpc.SecurityGroupEgressRule(
    `${name}-qdrant-peers-out`,
    {
      securityGroupId,
      referencedSecurityGroupId: securityGroupId,
      ipProtocol: 'tcp',
      fromPort: QDRANT_P2P_PORT,
      toPort: QDRANT_P2P_PORT,
      description: 'Qdrant cluster consensus and replication, between the nodes only',
    },
    { parent },
  );
}
