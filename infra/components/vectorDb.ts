import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import { policyDocument, serviceTrustPolicy } from '../iam';
import { snapshotCopyRules, type SnapshotCopy } from './dr';
import { SecretStore, type ContainerSecret } from './secrets';

/** Qdrant's REST port. */
export const QDRANT_PORT = 6333;

/** Amazon Linux 2023 for arm64, as AWS publishes its latest AMI id. */
export const AMAZON_LINUX_ARM64_AMI_PARAMETER =
  '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64';

/** The root volume: the system, Docker and the Qdrant image; the data has its own volume. */
export const ROOT_VOLUME_GIB = 8;

/** Swap on the root volume, so the smallest instances (0.5 GiB) survive a burst of memory. */
export const SWAP_GIB = 1;

/** Where the data volume is mounted on the instance and handed to the container. */
export const QDRANT_DATA_PATH = '/var/lib/qdrant';

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
 * The Qdrant vector database, either a managed cluster the stack only points at, or Qdrant on a
 * Graviton EC2 instance. Qdrant does not support network file systems such as EFS, so the
 * self-hosted data lives on an encrypted gp3 EBS volume that outlives the instance, is snapshotted
 * daily, and the instance recovers itself when its host fails.
 */
export class VectorDb extends pulumi.ComponentResource {
  /** What the backend connects to. */
  readonly url: pulumi.Output<string>;
  /** `QDRANT_API_KEY`, from Secrets Manager. */
  readonly containerSecrets: ContainerSecret[];
  readonly instanceId?: pulumi.Output<string>;

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

    const subnetId = pulumi.output(args.subnetIds).apply(firstSubnet);
    const subnet = aws.ec2.getSubnetOutput({ id: subnetId }, { parent: this });
    const snapshotTag = `${name}-qdrant`;
    const volume = new aws.ebs.Volume(
      `${name}-qdrant-data`,
      {
        availabilityZone: subnet.availabilityZone,
        type: 'gp3',
        size: args.volumeSizeGiB,
        encrypted: true,
        // The lifecycle policy below snapshots every volume carrying this tag.
        tags: { Name: `${name}-qdrant-data`, Snapshot: snapshotTag },
      },
      { parent: this, protect: args.deletionProtection },
    );

    const ami = aws.ssm.getParameterOutput(
      { name: AMAZON_LINUX_ARM64_AMI_PARAMETER },
      { parent: this },
    );
    const instance = new aws.ec2.Instance(
      `${name}-qdrant`,
      {
        ami: ami.value,
        instanceType: args.instanceType,
        subnetId,
        vpcSecurityGroupIds: [securityGroup.id],
        iamInstanceProfile: instanceProfile.name,
        // No NAT gateway: the public address is how it pulls packages and the image.
        associatePublicIpAddress: true,
        // IMDSv2 only, and one hop: the container cannot borrow the instance's role.
        metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 },
        // The AMI's own size: the system, Docker, the Qdrant image and a swap file fit in 8 GiB.
        rootBlockDevice: { volumeType: 'gp3', volumeSize: ROOT_VOLUME_GIB, encrypted: true },
        monitoring: false,
        disableApiTermination: args.deletionProtection,
        userData: pulumi
          .all([volume.id, secrets.arn])
          .apply(([volumeId, secretArn]) =>
            qdrantUserData({ volumeId, secretArn, region: args.region, version: args.version }),
          ),
        tags: { Name: `${name}-qdrant` },
      },
      {
        parent: this,
        // A new AMI is published every few weeks; replacing the instance interrupts search, so
        // take it deliberately with `pulumi up --replace <instance urn>`.
        ignoreChanges: ['ami'],
      },
    );
    new aws.ec2.VolumeAttachment(
      `${name}-qdrant-data`,
      {
        instanceId: instance.id,
        volumeId: volume.id,
        deviceName: '/dev/sdf',
        // Detach only from a stopped instance, so Qdrant never loses a mounted disk.
        stopInstanceBeforeDetaching: true,
      },
      { parent: this },
    );

    const lifecycleRole = new aws.iam.Role(
      `${name}-qdrant-snapshots`,
      {
        description: 'Data Lifecycle Manager: daily snapshots of the Qdrant volume',
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
              createRule: { interval: 24, intervalUnit: 'HOURS', times: '03:00' },
              retainRule: { count: args.snapshotsKept },
              copyTags: true,
              crossRegionCopyRules: snapshotCopyRules(args.snapshotCopy),
            },
          ],
        },
      },
      { parent: this },
    );

    // When the host fails its status checks, EC2 moves the instance, volumes and address intact.
    new aws.cloudwatch.MetricAlarm(
      `${name}-qdrant-recover`,
      {
        alarmDescription: 'Recover the Qdrant instance when its host fails',
        namespace: 'AWS/EC2',
        metricName: 'StatusCheckFailed_System',
        dimensions: { InstanceId: instance.id },
        statistic: 'Maximum',
        period: 60,
        evaluationPeriods: 2,
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
        alarmActions: [`arn:aws:automate:${args.region}:ec2:recover`],
      },
      { parent: this },
    );

    this.url = pulumi.interpolate`http://${instance.privateIp}:${QDRANT_PORT}`;
    this.containerSecrets = secrets.containerSecrets;
    this.instanceId = instance.id;

    this.registerOutputs({ url: this.url, instanceId: this.instanceId });
  }
}

function firstSubnet(subnetIds: string[]): string {
  const [first] = subnetIds;
  if (!first) throw new Error('the network has no public subnet to place Qdrant in');
  return first;
}

/**
 * First-boot script of the Qdrant instance. It formats the data volume only when the volume is
 * blank, so a replaced instance picks up the existing data, and reads the API key from Secrets
 * Manager at boot so the key never appears in the instance's user data.
 */
export function qdrantUserData(args: {
  volumeId: string;
  secretArn: string;
  region: string;
  version: string;
}): string {
  // Nitro instances expose EBS volumes as NVMe devices whose serial is the volume id sans dash.
  const serial = args.volumeId.replace('-', '');
  return `#!/bin/bash
set -euo pipefail

device=""
for attempt in $(seq 1 120); do
  device=$(lsblk --nodeps --noheadings --paths --output NAME,SERIAL | awk '$2 == "${serial}" { print $1 }')
  [ -n "$device" ] && break
  sleep 5
done
if [ -z "$device" ]; then
  echo "data volume ${args.volumeId} was never attached" >&2
  exit 1
fi
if ! blkid "$device"; then
  mkfs.xfs "$device"
fi
mkdir -p ${QDRANT_DATA_PATH}
uuid=$(blkid --match-tag UUID --output value "$device")
grep -q "$uuid" /etc/fstab || echo "UUID=$uuid ${QDRANT_DATA_PATH} xfs defaults,nofail 0 2" >> /etc/fstab
mount -a
# The unprivileged image runs Qdrant as uid 1000.
chown 1000:1000 ${QDRANT_DATA_PATH}

if [ ! -f /swapfile ]; then
  fallocate -l ${SWAP_GIB}G /swapfile
  chmod 600 /swapfile
  mkswap /swapfile
fi
grep -q /swapfile /etc/fstab || echo "/swapfile none swap defaults 0 0" >> /etc/fstab
swapon -a

dnf install -y docker
systemctl enable --now docker

umask 077
api_key=$(aws secretsmanager get-secret-value --region ${args.region} --secret-id '${args.secretArn}' \\
  --query SecretString --output text | python3 -c 'import json, sys; print(json.load(sys.stdin)["QDRANT_API_KEY"])')
printf 'QDRANT__SERVICE__API_KEY=%s\\nQDRANT__TELEMETRY_DISABLED=true\\n' "$api_key" > /etc/qdrant.env

docker run --detach --name qdrant --restart unless-stopped \\
  --publish ${QDRANT_PORT}:${QDRANT_PORT} \\
  --volume ${QDRANT_DATA_PATH}:/qdrant/storage \\
  --env-file /etc/qdrant.env \\
  qdrant/qdrant:${args.version}-unprivileged
`;
}
