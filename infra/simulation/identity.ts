import { randomBytes, randomUUID } from 'node:crypto';

/**
 * The identities AWS gives resources: ids, ARNs, DNS names and the suffixes metrics are published
 * under, built from the resource's physical name the way each service builds them, with the random
 * parts random. A test that expects a logical name where AWS puts a generated one fails here as it
 * would in a real account.
 */

export const SIMULATED_ACCOUNT_ID = '123456789012';

export function randomHex(length: number): string {
  return randomBytes(Math.ceil(length / 2))
    .toString('hex')
    .slice(0, length);
}

function randomAlphanumeric(
  length: number,
  alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789',
): string {
  return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

/** Pulumi's auto-name: the logical name and seven random characters. */
export function autoName(logicalName: string): string {
  return `${logicalName}-${randomHex(7)}`;
}

export interface Identity {
  id: string;
  /** Outputs the service computes, over the resource's inputs. */
  outputs: Record<string, unknown>;
}

interface Where {
  region: string;
  account: string;
}

/**
 * The id and computed outputs of a resource of `type` whose physical name is `name` (its
 * auto-name, or the name the program gave). `logicalName` names the resource in the program.
 */
export function identityOf(
  type: string,
  logicalName: string,
  name: string | undefined,
  inputs: Record<string, unknown>,
  { region, account }: Where,
): Identity {
  const physical = name ?? autoName(logicalName);
  const arn = genericArn(type, region, account, physical);
  switch (type) {
    case 'awsx:ec2:Vpc': {
      // One subnet per zone for each spec of its type, as the component creates them.
      const zones = Number(inputs.numberOfAvailabilityZones ?? 3);
      const specs = (inputs.subnetSpecs as { type: string }[] | undefined) ?? [
        { type: 'Public' },
        { type: 'Private' },
      ];
      const subnets = (type: string) =>
        specs
          .filter((spec) => spec.type === type)
          .flatMap(() => Array.from({ length: zones }, () => `subnet-0${randomHex(16)}`));
      return {
        id: logicalName,
        outputs: {
          vpcId: `vpc-0${randomHex(16)}`,
          publicSubnetIds: subnets('Public'),
          privateSubnetIds: subnets('Private'),
          isolatedSubnetIds: subnets('Isolated'),
        },
      };
    }
    case 'aws:acm/certificate:Certificate':
      return {
        id: `arn:aws:acm:${region}:${account}:certificate/${randomUUID()}`,
        outputs: {
          domainValidationOptions: [
            {
              domainName: inputs.domainName,
              resourceRecordName: `_${randomHex(32)}.${String(inputs.domainName)}.`,
              resourceRecordType: 'CNAME',
              resourceRecordValue: `_${randomHex(32)}.acm-validations.aws.`,
            },
          ],
        },
      };
    case 'aws:acm/certificateValidation:CertificateValidation':
      return {
        id: String(inputs.certificateArn),
        outputs: { certificateArn: inputs.certificateArn },
      };
    case 'aws:cloudfront/distribution:Distribution': {
      const id = `E${randomAlphanumeric(13, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}`;
      return {
        id,
        outputs: {
          arn: `arn:aws:cloudfront::${account}:distribution/${id}`,
          domainName: `${randomAlphanumeric(14)}.cloudfront.net`,
          hostedZoneId: 'Z2FDTNDATAQYW2',
        },
      };
    }
    case 'aws:cloudfront/vpcOrigin:VpcOrigin': {
      const id = `vo_${randomAlphanumeric(22, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')}`;
      return { id, outputs: { arn: `arn:aws:cloudfront::${account}:vpcorigin/${id}` } };
    }
    case 'aws:cloudfront/cachePolicy:CachePolicy':
    case 'aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy':
      return { id: randomUUID(), outputs: { name: physical } };
    case 'aws:ec2/instance:Instance': {
      const id = `i-0${randomHex(16)}`;
      return {
        id,
        outputs: {
          arn: `arn:aws:ec2:${region}:${account}:instance/${id}`,
          // An address the program asks for is the one the instance gets.
          privateIp:
            inputs.privateIp ??
            `10.0.${1 + ((randomBytes(1)[0] ?? 0) % 250)}.${10 + ((randomBytes(1)[0] ?? 0) % 240)}`,
        },
      };
    }
    case 'aws:ebs/volume:Volume': {
      const id = `vol-0${randomHex(16)}`;
      return { id, outputs: { arn: `arn:aws:ec2:${region}:${account}:volume/${id}` } };
    }
    case 'aws:ec2/securityGroup:SecurityGroup': {
      const id = `sg-0${randomHex(16)}`;
      return {
        id,
        outputs: { arn: `arn:aws:ec2:${region}:${account}:security-group/${id}`, name: physical },
      };
    }
    case 'aws:ecr/repository:Repository':
      return {
        id: physical,
        outputs: {
          arn: `arn:aws:ecr:${region}:${account}:repository/${physical}`,
          name: physical,
          repositoryUrl: `${account}.dkr.ecr.${region}.amazonaws.com/${physical}`,
        },
      };
    case 'aws:ecs/cluster:Cluster': {
      const clusterArn = `arn:aws:ecs:${region}:${account}:cluster/${physical}`;
      return { id: clusterArn, outputs: { arn: clusterArn, name: physical } };
    }
    case 'aws:ecs/service:Service': {
      const cluster = String(inputs.cluster).split('/').pop() ?? '';
      const serviceArn = `arn:aws:ecs:${region}:${account}:service/${cluster}/${physical}`;
      return { id: serviceArn, outputs: { arn: serviceArn, name: physical } };
    }
    case 'aws:ecs/taskDefinition:TaskDefinition': {
      const family = String(inputs.family);
      const definitionArn = `arn:aws:ecs:${region}:${account}:task-definition/${family}:1`;
      return {
        id: family,
        outputs: {
          arn: definitionArn,
          arnWithoutRevision: definitionArn.replace(/:1$/, ''),
          revision: 1,
        },
      };
    }
    case 'aws:elasticache/replicationGroup:ReplicationGroup':
      return {
        id: physical,
        outputs: {
          arn: `arn:aws:elasticache:${region}:${account}:replicationgroup:${physical}`,
          replicationGroupId: physical,
          primaryEndpointAddress: `master.${physical}.${randomHex(6)}.${region}.cache.amazonaws.com`,
        },
      };
    case 'aws:lb/loadBalancer:LoadBalancer': {
      const arnSuffix = `app/${physical}/${randomHex(16)}`;
      const loadBalancerArn = `arn:aws:elasticloadbalancing:${region}:${account}:loadbalancer/${arnSuffix}`;
      const internal = inputs.internal === true ? 'internal-' : '';
      return {
        id: loadBalancerArn,
        outputs: {
          arn: loadBalancerArn,
          arnSuffix,
          name: physical,
          dnsName: `${internal}${physical}-${String(randomBytes(4).readUInt32BE())}.${region}.elb.amazonaws.com`,
          zoneId: 'Z32O12XQLNTSW2',
        },
      };
    }
    case 'aws:lb/targetGroup:TargetGroup': {
      const arnSuffix = `targetgroup/${physical}/${randomHex(16)}`;
      const targetGroupArn = `arn:aws:elasticloadbalancing:${region}:${account}:${arnSuffix}`;
      return { id: targetGroupArn, outputs: { arn: targetGroupArn, arnSuffix, name: physical } };
    }
    case 'aws:lb/listener:Listener':
    case 'aws:lb/listenerRule:ListenerRule': {
      const kind = type.endsWith('Rule') ? 'listener-rule' : 'listener';
      const listenerArn = `arn:aws:elasticloadbalancing:${region}:${account}:${kind}/app/${randomHex(16)}`;
      return { id: listenerArn, outputs: { arn: listenerArn } };
    }
    case 'aws:rds/cluster:Cluster': {
      // The endpoint carries a random per-account-and-region part; metrics name the identifier.
      const host = `${physical}.cluster-${randomAlphanumeric(12)}.${region}.rds.amazonaws.com`;
      return {
        id: physical,
        outputs: {
          arn: `arn:aws:rds:${region}:${account}:cluster:${physical}`,
          clusterIdentifier: physical,
          clusterResourceId: `cluster-${randomAlphanumeric(26, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}`,
          endpoint: host,
          readerEndpoint: host.replace('.cluster-', '.cluster-ro-'),
          engineVersionActual: inputs.engineVersion,
        },
      };
    }
    case 'aws:rds/clusterInstance:ClusterInstance':
      return {
        id: physical,
        outputs: {
          arn: `arn:aws:rds:${region}:${account}:db:${physical}`,
          identifier: physical,
          endpoint: `${physical}.${randomAlphanumeric(12)}.${region}.rds.amazonaws.com`,
        },
      };
    case 'aws:rds/subnetGroup:SubnetGroup':
      // RDS keeps subnet group names in lower case.
      return {
        id: physical.toLowerCase(),
        outputs: {
          arn: `arn:aws:rds:${region}:${account}:subgrp:${physical.toLowerCase()}`,
          name: physical.toLowerCase(),
        },
      };
    case 'aws:route53/record:Record':
      return {
        id: `${String(inputs.zoneId)}_${String(inputs.name)}_${String(inputs.type)}`,
        outputs: { fqdn: inputs.name },
      };
    case 'aws:s3/bucket:Bucket':
      return { id: physical, outputs: { arn: `arn:aws:s3:::${physical}`, bucket: physical } };
    case 'aws:secretsmanager/secret:Secret': {
      // Secrets Manager appends six random characters to the ARN of every secret.
      const secretArn = `arn:aws:secretsmanager:${region}:${account}:secret:${physical}-${randomAlphanumeric(6, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz')}`;
      return { id: secretArn, outputs: { arn: secretArn, name: physical } };
    }
    case 'aws:secretsmanager/secretVersion:SecretVersion': {
      // Every stored value gets a new version id; the version's ARN is its secret's.
      const versionId = randomUUID();
      return {
        id: `${String(inputs.secretId)}|${versionId}`,
        outputs: { arn: inputs.secretId, versionId },
      };
    }
    case 'aws:sns/topic:Topic': {
      const topicArn = `arn:aws:sns:${region}:${account}:${physical}`;
      return { id: topicArn, outputs: { arn: topicArn, name: physical } };
    }
    case 'aws:sqs/queue:Queue':
      return {
        id: `https://sqs.${region}.amazonaws.com/${account}/${physical}`,
        outputs: {
          arn: `arn:aws:sqs:${region}:${account}:${physical}`,
          name: physical,
          url: `https://sqs.${region}.amazonaws.com/${account}/${physical}`,
        },
      };
    case 'aws:iam/role:Role':
      return {
        id: physical,
        outputs: {
          arn: `arn:aws:iam::${account}:role/${physical}`,
          name: physical,
          uniqueId: `AROA${randomAlphanumeric(17, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`,
        },
      };
    case 'aws:iam/instanceProfile:InstanceProfile':
      return {
        id: physical,
        outputs: { arn: `arn:aws:iam::${account}:instance-profile/${physical}`, name: physical },
      };
    case 'aws:iam/openIdConnectProvider:OpenIdConnectProvider': {
      const host = new URL(String(inputs.url)).host;
      const providerArn = `arn:aws:iam::${account}:oidc-provider/${host}`;
      return { id: providerArn, outputs: { arn: providerArn } };
    }
    case 'aws:cloudwatch/logGroup:LogGroup':
      return {
        id: physical,
        outputs: { arn: `arn:aws:logs:${region}:${account}:log-group:${physical}`, name: physical },
      };
    case 'aws:cloudwatch/metricAlarm:MetricAlarm':
      return {
        id: physical,
        outputs: {
          arn: `arn:aws:cloudwatch:${region}:${account}:alarm:${physical}`,
          name: physical,
        },
      };
    case 'aws:cloudwatch/eventRule:EventRule':
      return {
        id: physical,
        outputs: { arn: `arn:aws:events:${region}:${account}:rule/${physical}`, name: physical },
      };
    case 'aws:scheduler/schedule:Schedule':
      return {
        id: `default/${physical}`,
        outputs: {
          arn: `arn:aws:scheduler:${region}:${account}:schedule/default/${physical}`,
          name: physical,
        },
      };
    case 'aws:wafv2/webAcl:WebAcl': {
      const id = randomUUID();
      const scope = inputs.scope === 'CLOUDFRONT' ? 'global' : 'regional';
      return {
        id,
        outputs: {
          arn: `arn:aws:wafv2:${region}:${account}:${scope}/webacl/${physical}/${id}`,
          name: physical,
        },
      };
    }
    case 'aws:bedrock/inferenceProfile:InferenceProfile': {
      const id = randomAlphanumeric(12);
      return {
        id,
        outputs: {
          arn: `arn:aws:bedrock:${region}:${account}:application-inference-profile/${id}`,
          name: physical,
        },
      };
    }
    case 'aws:budgets/budget:Budget':
      return {
        id: `${account}:${physical}`,
        outputs: { arn: `arn:aws:budgets::${account}:budget/${physical}`, name: physical },
      };
    case 'random:index/randomPassword:RandomPassword': {
      const length = Number(inputs.length ?? 16);
      return {
        id: 'none',
        outputs: {
          result: randomAlphanumeric(
            length,
            'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
          ),
        },
      };
    }
    case 'random:index/randomId:RandomId': {
      // The provider's id is the random bytes in URL-safe base64; `hex` is the same bytes.
      const bytes = randomBytes(Number(inputs.byteLength ?? 8));
      return {
        id: bytes.toString('base64url'),
        outputs: { hex: bytes.toString('hex'), b64Url: bytes.toString('base64url') },
      };
    }
    default:
      return {
        id: name ?? `${logicalName}-${randomHex(8)}`,
        outputs: { arn, ...(name ? { name } : {}) },
      };
  }
}

/** `arn:aws:<service>:<region>:<account>:<resource>/<name>`, from the type token's module. */
function genericArn(type: string, region: string, account: string, name: string): string {
  const [, module = 'unknown', resource = 'resource'] = /^\w+:(\w+)\/(\w+):/.exec(type) ?? [];
  return `arn:aws:${module}:${region}:${account}:${resource}/${name}`;
}
