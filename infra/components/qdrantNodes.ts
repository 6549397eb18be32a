import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import {
  ROOT_VOLUME_GIB,
  clusterRoles,
  qdrantNodeAddress,
  qdrantNodeName,
  qdrantUserData,
} from './qdrantCluster';

export interface QdrantNodesArgs {
  nodes: number;
  /** One subnet per zone; node `i` runs in subnet `i`, so no two nodes share a zone. */
  subnetIds: pulumi.Input<string[]>;
  version: string;
  instanceType: string;
  volumeSizeGiB: number;
  /** One per node when the stack is created from snapshots; read only when a volume is created. */
  restoreSnapshotIds: string[];
  region: string;
  deletionProtection: boolean;
  /** The `Snapshot` tag the lifecycle policy snapshots volumes by. */
  snapshotTag: string;
  amiId: pulumi.Input<string>;
  securityGroupId: pulumi.Input<string>;
  instanceProfileName: pulumi.Input<string>;
  secretArn: pulumi.Input<string>;
}

export interface QdrantNodeHandle {
  /** The node's fixed private address. */
  address: pulumi.Output<string>;
  instanceId: pulumi.Output<string>;
}

/**
 * Each Qdrant node: its reserved address, its data volume, its instance and the attachment
 * between them, and the alarm that recovers it from a failed host. Children of the VectorDb
 * component, named as the single instance always was for the first node.
 *
 * How a node is replaced (a new `qdrantVersion`, a new instance type, `pulumi up --replace`):
 * the user data changes, and cloud-init runs user data on the first boot only, so a change
 * replaces the instance (`userDataReplaceOnChange`) instead of rewriting a script that never runs
 * again. The replacement deletes first (`deleteBeforeReplace` on the instance and the attachment):
 * the volume is detached from the stopped old instance, which is terminated and frees its fixed
 * address, before the new instance starts and gets the volume; creating first is what failed with
 * VolumeInUse. Each node waits for the previous node's volume to be attached again (`dependsOn`),
 * so a cluster is replaced one node at a time and never loses two copies of a shard at once.
 */
export function qdrantNodes(
  name: string,
  args: QdrantNodesArgs,
  parent: pulumi.Resource,
): QdrantNodeHandle[] {
  const subnetIds = pulumi.output(args.subnetIds);
  const placements = Array.from({ length: args.nodes }, (_, index) => {
    const subnetId = subnetIds.apply((ids) => subnetAt(ids, index));
    const subnet = aws.ec2.getSubnetOutput({ id: subnetId }, { parent });
    const address = subnet.cidrBlock.apply(qdrantNodeAddress);
    return {
      subnetId,
      availabilityZone: subnet.availabilityZone,
      reservedCidr: address.reservedCidr,
      address: address.address,
    };
  });
  const roles = pulumi.all(placements.map((placement) => placement.address)).apply(clusterRoles);

  let previous: pulumi.Resource | undefined;
  return placements.map((placement, index) => {
    const node = qdrantNodeName(name, index);
    const reservation = new aws.ec2.SubnetCidrReservation(
      `${node}-address`,
      {
        subnetId: placement.subnetId,
        cidrBlock: placement.reservedCidr,
        // Explicit: AWS assigns nothing from the range itself, only the address asked for.
        reservationType: 'explicit',
        description: `Fixed address of ${node}`,
      },
      { parent },
    );
    const volume = new aws.ebs.Volume(
      `${node}-data`,
      {
        availabilityZone: placement.availabilityZone,
        type: 'gp3',
        size: args.volumeSizeGiB,
        encrypted: true,
        snapshotId: args.restoreSnapshotIds[index],
        // The lifecycle policy snapshots every volume carrying this tag.
        tags: { Name: `${node}-data`, Snapshot: args.snapshotTag },
      },
      {
        parent,
        // EBS has no deletion flag of its own; Pulumi refuses to delete a protected volume.
        protect: args.deletionProtection,
        // The snapshot seeds a new volume only: setting or changing it later must never replace
        // (and so empty) a volume in use.
        ignoreChanges: ['snapshotId'],
      },
    );
    const instance = new aws.ec2.Instance(
      node,
      {
        ami: args.amiId,
        instanceType: args.instanceType,
        subnetId: placement.subnetId,
        privateIp: placement.address,
        vpcSecurityGroupIds: [args.securityGroupId],
        iamInstanceProfile: args.instanceProfileName,
        // No NAT gateway: the public address is how it pulls packages and the image.
        associatePublicIpAddress: true,
        // IMDSv2 only, and one hop: the container cannot borrow the instance's role.
        metadataOptions: { httpTokens: 'required', httpPutResponseHopLimit: 1 },
        // The AMI's own size: the system, Docker, the Qdrant image and a swap file fit in 8 GiB.
        rootBlockDevice: { volumeType: 'gp3', volumeSize: ROOT_VOLUME_GIB, encrypted: true },
        monitoring: false,
        // Guards against a terminate from the console or CLI; the AWS provider lifts it itself
        // before it deletes the instance, so an upgrade's replacement is never blocked by it.
        disableApiTermination: args.deletionProtection,
        userData: pulumi
          .all([volume.id, args.secretArn, roles])
          .apply(([volumeId, secretArn, clusterRoleList]) =>
            qdrantUserData({
              volumeId,
              secretArn,
              region: args.region,
              version: args.version,
              cluster: clusterRoleList[index],
            }),
          ),
        userDataReplaceOnChange: true,
        tags: { Name: node },
      },
      {
        parent,
        // A new AMI is published every few weeks; replacing a node for it is taken deliberately
        // (docs/operations.md, replacing a Qdrant node).
        ignoreChanges: ['ami'],
        deleteBeforeReplace: true,
        dependsOn: previous ? [reservation, previous] : [reservation],
      },
    );
    const attachment = new aws.ec2.VolumeAttachment(
      `${node}-data`,
      {
        instanceId: instance.id,
        volumeId: volume.id,
        deviceName: '/dev/sdf',
        // Detach only from a stopped instance, so Qdrant never loses a mounted disk.
        stopInstanceBeforeDetaching: true,
      },
      { parent, deleteBeforeReplace: true },
    );
    previous = attachment;

    // When the host fails its status checks, EC2 moves the instance, volumes and address intact.
    new aws.cloudwatch.MetricAlarm(
      `${node}-recover`,
      {
        alarmDescription: `Recover ${node} when its host fails`,
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
      { parent },
    );
    return { address: placement.address, instanceId: instance.id };
  });
}

function subnetAt(subnetIds: string[], index: number): string {
  const subnetId = subnetIds[index];
  if (!subnetId) {
    throw new Error(
      `Qdrant node ${index + 1} has no subnet of its own: the network has ${subnetIds.length} zones (raise lorechat:availabilityZones)`,
    );
  }
  return subnetId;
}
