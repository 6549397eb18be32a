import type * as pulumi from '@pulumi/pulumi';

/** A resource the program registered, with the inputs it was given. */
export interface RecordedResource {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  /** `<provider urn>::<provider id>` when the resource names an explicit provider. */
  provider?: string;
  custom: boolean;
  /** The id and outputs the simulated provider answered with. */
  id: string;
  outputs: Record<string, unknown>;
  /** Filled in after the run from the engine's view: tells which component owns the resource. */
  urn?: string;
  /** Filled in after the run: the `protect` option, which mocks are not told but policies read. */
  protect?: boolean;
}

export const SIMULATED_ACCOUNT_ID = '123456789012';
export const SIMULATED_PREFIX_LIST_ID = 'pl-3b927c52';
export const SIMULATED_AMI_ID = 'ami-0123456789abcdef0';

/**
 * Pulumi mocks that stand in for AWS: they record every resource and invoke, and answer with the
 * outputs the real services would compute (ARNs, DNS names, subnet ids), so the program runs end
 * to end without credentials or network.
 */
export class RecordingMocks implements pulumi.runtime.Mocks {
  readonly resources: RecordedResource[] = [];
  readonly calls: { token: string; inputs: Record<string, unknown> }[] = [];

  constructor(private readonly region: string) {}

  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const inputs = args.inputs as Record<string, unknown>;
    const id = `${args.name}-id`;
    const outputs = { ...inputs, ...this.computedOutputs(args.type, args.name, inputs, id) };
    this.resources.push({
      type: args.type,
      name: args.name,
      inputs,
      provider: args.provider,
      custom: args.custom ?? true,
      id,
      outputs,
    });
    return { id, state: outputs };
  }

  call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
    const inputs = args.inputs as Record<string, unknown>;
    this.calls.push({ token: args.token, inputs });
    switch (args.token) {
      case 'aws:index/getCallerIdentity:getCallerIdentity':
        return {
          accountId: SIMULATED_ACCOUNT_ID,
          arn: `arn:aws:iam::${SIMULATED_ACCOUNT_ID}:user/simulated`,
          userId: 'AIDASIMULATED',
          id: SIMULATED_ACCOUNT_ID,
        };
      case 'aws:index/getRegion:getRegion':
        return { id: this.region, name: this.region, region: this.region };
      case 'aws:ec2/getManagedPrefixList:getManagedPrefixList':
        return { id: SIMULATED_PREFIX_LIST_ID, name: inputs.name, addressFamily: 'IPv4' };
      case 'aws:ec2/getSubnet:getSubnet':
        return { id: inputs.id, availabilityZone: `${this.region}a` };
      case 'aws:ssm/getParameter:getParameter':
        return { name: inputs.name, value: SIMULATED_AMI_ID, type: 'String' };
      default:
        // A lookup the simulation does not know would silently return nothing: fail instead.
        throw new Error(`the simulation has no answer for ${args.token}`);
    }
  }

  private computedOutputs(
    type: string,
    name: string,
    inputs: Record<string, unknown>,
    id: string,
  ): Record<string, unknown> {
    const region = this.region;
    const arn = simulatedArn(type, region, name);
    switch (type) {
      case 'awsx:ec2:Vpc': {
        const zones = Number(inputs.numberOfAvailabilityZones ?? 3);
        return {
          vpcId: 'vpc-0simulated',
          publicSubnetIds: Array.from({ length: zones }, (_, zone) => `subnet-public-${zone + 1}`),
          privateSubnetIds: [],
          isolatedSubnetIds: [],
        };
      }
      case 'awsx:ecr:Image':
        return { imageUri: `${String(inputs.repositoryUrl)}@sha256:${'a'.repeat(64)}` };
      case 'aws:acm/certificate:Certificate':
        return {
          arn,
          domainValidationOptions: [
            {
              domainName: inputs.domainName,
              resourceRecordName: `_0123456789abcdef.${String(inputs.domainName)}.`,
              resourceRecordType: 'CNAME',
              resourceRecordValue: '_fedcba9876543210.acm-validations.aws.',
            },
          ],
        };
      case 'aws:acm/certificateValidation:CertificateValidation':
        return { certificateArn: inputs.certificateArn };
      case 'aws:cloudfront/distribution:Distribution':
        return { arn, domainName: 'd111111abcdef8.cloudfront.net', hostedZoneId: 'Z2FDTNDATAQYW2' };
      case 'aws:ec2/instance:Instance':
        return { arn, privateIp: '10.0.0.10', availabilityZone: `${region}a` };
      case 'aws:ecr/repository:Repository':
        return {
          arn,
          name: inputs.name ?? name,
          repositoryUrl: `${SIMULATED_ACCOUNT_ID}.dkr.ecr.${region}.amazonaws.com/${name}`,
        };
      case 'aws:elasticache/replicationGroup:ReplicationGroup':
        return { arn, primaryEndpointAddress: `master.${name}.cache.amazonaws.com` };
      case 'aws:lb/loadBalancer:LoadBalancer':
        return {
          arn,
          name: inputs.name ?? name,
          arnSuffix: `app/${name}/0123456789abcdef`,
          dnsName: `${name}-123456789.${region}.elb.amazonaws.com`,
          zoneId: 'Z32O12XQLNTSW2',
        };
      case 'aws:lb/targetGroup:TargetGroup':
        return {
          arn,
          name: inputs.name ?? name,
          arnSuffix: `targetgroup/${name}/fedcba9876543210`,
        };
      case 'aws:route53/record:Record':
        return { fqdn: inputs.name };
      case 'aws:s3/bucket:Bucket':
        return { arn: `arn:aws:s3:::${name}`, bucket: name };
      case 'aws:secretsmanager/secret:Secret':
        return { arn: simulatedArn(type, region, id) };
      case 'aws:secretsmanager/secretVersion:SecretVersion':
        // The version's ARN is its secret's.
        return {
          arn: simulatedArn('aws:secretsmanager/secret:Secret', region, String(inputs.secretId)),
        };
      case 'random:index/randomPassword:RandomPassword':
        return { result: `simulated-${name}` };
      default:
        return { arn, name: inputs.name ?? name };
    }
  }
}

/** `arn:aws:<service>:<region>:<account>:<resource>/<name>`, from the type token's module. */
function simulatedArn(type: string, region: string, name: string): string {
  const [, module = 'unknown', resource = 'resource'] = /^\w+:(\w+)\/(\w+):/.exec(type) ?? [];
  return `arn:aws:${module}:${region}:${SIMULATED_ACCOUNT_ID}:${resource}/${name}`;
}
