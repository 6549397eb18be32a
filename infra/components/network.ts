import * as aws from '@pulumi/aws';
import * as awsx from '@pulumi/awsx';
import * as pulumi from '@pulumi/pulumi';
import { logsDeliveryPolicy, serviceTrustPolicy } from '../iam';

export interface NetworkArgs {
  availabilityZones: number;
  cidrBlock: string;
  logRetentionDays: number;
  /** The port the service listens on: the only port the load balancer may open on a task. */
  servicePort: number;
  /** Internet ports the tasks may call (AWS APIs, model providers, a managed Qdrant). */
  serviceInternetPorts: number[];
}

/**
 * The VPC and the security groups that keep traffic on its one path: load balancer → tasks. No NAT
 * gateways (about $30 a month per zone before data): tasks reach AWS APIs and model providers
 * through their own public IPs in the public subnets, and security groups admit nothing from the
 * internet except what the load balancer component opens to CloudFront. The isolated subnets have
 * no route out of the VPC at all: the database lives there.
 */
export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly publicSubnetIds: pulumi.Output<string[]>;
  /** One per zone, without a route to the internet either way. */
  readonly isolatedSubnetIds: pulumi.Output<string[]>;
  readonly loadBalancerSecurityGroupId: pulumi.Output<string>;
  readonly serviceSecurityGroupId: pulumi.Output<string>;

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super('lorechat:network:Network', name, {}, opts);

    const vpc = new awsx.ec2.Vpc(
      `${name}-vpc`,
      {
        cidrBlock: args.cidrBlock,
        numberOfAvailabilityZones: args.availabilityZones,
        enableDnsHostnames: true,
        natGateways: { strategy: 'None' },
        subnetStrategy: 'Auto',
        subnetSpecs: subnetSpecs(args.cidrBlock),
      },
      { parent: this },
    );
    this.vpcId = vpc.vpcId;
    this.publicSubnetIds = vpc.publicSubnetIds;
    this.isolatedSubnetIds = vpc.isolatedSubnetIds;

    const flowLogGroup = new aws.cloudwatch.LogGroup(
      `${name}-flow-logs`,
      { name: `/${name}/vpc-flow-logs`, retentionInDays: args.logRetentionDays },
      { parent: this },
    );
    const flowLogRole = new aws.iam.Role(
      `${name}-flow-logs`,
      { assumeRolePolicy: serviceTrustPolicy('vpc-flow-logs.amazonaws.com') },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-flow-logs`,
      { role: flowLogRole.id, policy: logsDeliveryPolicy(flowLogGroup.arn) },
      { parent: this },
    );
    new aws.ec2.FlowLog(
      `${name}-vpc`,
      {
        vpcId: vpc.vpcId,
        trafficType: 'ALL',
        logDestinationType: 'cloud-watch-logs',
        logDestination: flowLogGroup.arn,
        iamRoleArn: flowLogRole.arn,
        maxAggregationInterval: 600,
      },
      { parent: this },
    );

    const loadBalancerGroup = new aws.ec2.SecurityGroup(
      `${name}-alb`,
      {
        vpcId: vpc.vpcId,
        description: 'LoreChat load balancer: CloudFront in, tasks out',
        revokeRulesOnDelete: true,
      },
      { parent: this },
    );
    const serviceGroup = new aws.ec2.SecurityGroup(
      `${name}-service`,
      {
        vpcId: vpc.vpcId,
        description: 'LoreChat tasks: load balancer in, HTTPS out',
        revokeRulesOnDelete: true,
      },
      { parent: this },
    );
    this.loadBalancerSecurityGroupId = loadBalancerGroup.id;
    this.serviceSecurityGroupId = serviceGroup.id;

    new aws.vpc.SecurityGroupEgressRule(
      `${name}-alb-to-service`,
      {
        securityGroupId: loadBalancerGroup.id,
        referencedSecurityGroupId: serviceGroup.id,
        ipProtocol: 'tcp',
        fromPort: args.servicePort,
        toPort: args.servicePort,
        description: 'Requests and health checks to the tasks',
      },
      { parent: this },
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-service-from-alb`,
      {
        securityGroupId: serviceGroup.id,
        referencedSecurityGroupId: loadBalancerGroup.id,
        ipProtocol: 'tcp',
        fromPort: args.servicePort,
        toPort: args.servicePort,
        description: 'Only the load balancer reaches the tasks',
      },
      { parent: this },
    );
    for (const port of args.serviceInternetPorts) {
      new aws.vpc.SecurityGroupEgressRule(
        `${name}-service-internet-${port}`,
        {
          securityGroupId: serviceGroup.id,
          cidrIpv4: '0.0.0.0/0',
          ipProtocol: 'tcp',
          fromPort: port,
          toPort: port,
          description: 'Image pulls, AWS APIs and model providers',
        },
        { parent: this },
      );
    }

    this.registerOutputs({
      vpcId: this.vpcId,
      publicSubnetIds: this.publicSubnetIds,
      isolatedSubnetIds: this.isolatedSubnetIds,
      loadBalancerSecurityGroupId: this.loadBalancerSecurityGroupId,
      serviceSecurityGroupId: this.serviceSecurityGroupId,
    });
  }
}

/**
 * The internet ports the tasks need: HTTPS always (ECR, Secrets Manager, Bedrock, hosted models),
 * plus the explicit port of any configured endpoint, such as an Ollama server on 11434 or a
 * managed Qdrant cluster on 6333.
 */
export function internetEgressPorts(endpoints: (string | undefined)[]): number[] {
  const ports = new Set<number>([443]);
  for (const endpoint of endpoints) {
    if (!endpoint) continue;
    const url = new URL(endpoint);
    ports.add(url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443);
  }
  return [...ports].sort((a, b) => a - b);
}

/**
 * Each zone's public and isolated subnet, each a sixteenth of the VPC's range: awsx gives every zone
 * an equal power-of-two share (at most an eighth, with six zones), and two sixteenths fit in it
 * whatever the zone count. A /16 VPC gets 4,096 addresses per subnet; a /24, the smallest subnet
 * AWS allows (/28).
 */
export function subnetSpecs(vpcCidr: string): awsx.types.input.ec2.SubnetSpecArgs[] {
  const prefix = Number(vpcCidr.split('/')[1]);
  const cidrMask = prefix + 4;
  return [
    { type: 'Public', cidrMask },
    { type: 'Isolated', cidrMask },
  ];
}
