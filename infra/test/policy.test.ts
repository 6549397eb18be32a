import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import {
  albIngressFromCloudFrontOnly,
  cloudFrontHasWebAcl,
  deletionProtectionInProtectedEnvironments,
  logGroupsHaveRetention,
  noCredentialsInContainerEnvironment,
  noWildcardActionOnWildcardResource,
  policies,
  s3BucketsPrivateAndEncrypted,
  standardTags,
  tls12OrNewer,
} from '../policy/rules';
import { violationsOf, type PolicyTarget } from './support/policies';

/**
 * Each rule of infra/policy against one resource that breaks it and one that keeps it. The whole
 * pack over every stack's resources runs in the stack suites (support/stackSuite.ts).
 */

const TAGS = { Project: 'lorechat', Environment: 'dev', ManagedBy: 'pulumi' };

const resource = (
  type: string,
  props: Record<string, unknown>,
  extra: Partial<PolicyTarget> = {},
): PolicyTarget => ({
  type,
  name: `test-${type.split(':').at(-1)?.toLowerCase()}`,
  props,
  ...extra,
});

/** Violations one rule finds, by policy name; the rule is checked to be in the pack under it. */
async function check(rule: unknown, ...targets: PolicyTarget[]): Promise<string[]> {
  const policy = policies.find(
    (candidate) =>
      ('validateStack' in candidate ? candidate.validateStack : candidate.validateResource) ===
      rule,
  );
  if (!policy) throw new Error('the rule is not in the pack');
  return (await violationsOf([policy], targets)).map((violation) => violation.message);
}

describe('infra/policy', () => {
  it('serves every rule from index.ts as a mandatory policy pack described in PulumiPolicy.yaml', () => {
    const directory = path.join(__dirname, '..', 'policy');
    const index = readFileSync(path.join(directory, 'index.ts'), 'utf8');
    expect(index).toMatch(
      /new PolicyPack\('lorechat', \{[\s\S]*enforcementLevel: 'mandatory',[\s\S]*policies,/,
    );
    const project = parse(readFileSync(path.join(directory, 'PulumiPolicy.yaml'), 'utf8')) as {
      runtime: string;
    };
    expect(project.runtime).toBe('nodejs');
    const names = policies.map((policy) => policy.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toHaveLength(9);
  });

  describe('cloudfront-web-acl', () => {
    const type = 'aws:cloudfront/distribution:Distribution';
    it('fails a distribution without a web ACL', async () => {
      expect(await check(cloudFrontHasWebAcl, resource(type, {}))).toEqual([
        expect.stringContaining('no WAF web ACL'),
      ]);
    });
    it('passes one with a web ACL', async () => {
      expect(
        await check(cloudFrontHasWebAcl, resource(type, { webAclId: 'arn:aws:wafv2:acl' })),
      ).toEqual([]);
    });
  });

  describe('alb-ingress-cloudfront-only', () => {
    const loadBalancer = resource('aws:lb/loadBalancer:LoadBalancer', {
      loadBalancerType: 'application',
      securityGroups: ['sg-alb'],
    });
    const ingress = (props: Record<string, unknown>) =>
      resource('aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule', {
        securityGroupId: 'sg-alb',
        ipProtocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        ...props,
      });

    it('fails an address range, another group, or a foreign prefix list', async () => {
      expect(
        await check(
          albIngressFromCloudFrontOnly,
          loadBalancer,
          ingress({ cidrIpv4: '0.0.0.0/0' }),
          ingress({ referencedSecurityGroupId: 'sg-other' }),
          ingress({ prefixListId: 'pl-0123456789abcdef0' }),
          resource('aws:ec2/securityGroup:SecurityGroup', {
            id: 'sg-alb',
            ingress: [{ protocol: 'tcp', fromPort: 80, toPort: 80, cidrBlocks: ['10.0.0.0/8'] }],
          }),
        ),
      ).toEqual([
        expect.stringContaining('admits the address range 0.0.0.0/0'),
        expect.stringContaining('admits another security group'),
        expect.stringContaining("admits pl-0123456789abcdef0, not CloudFront's"),
        expect.stringContaining('admits the address range 10.0.0.0/8'),
      ]);
    });

    it("passes CloudFront's origin-facing prefix list, and leaves other groups alone", async () => {
      expect(
        await check(
          albIngressFromCloudFrontOnly,
          loadBalancer,
          ingress({ prefixListId: 'pl-4fa04526' }),
          resource('aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule', {
            securityGroupId: 'sg-service',
            referencedSecurityGroupId: 'sg-alb',
          }),
        ),
      ).toEqual([]);
    });
  });

  describe('s3-private-encrypted', () => {
    const bucket = resource('aws:s3/bucket:Bucket', { bucket: 'logs' });
    const block = resource('aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock', {
      bucket: 'logs',
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    const encryption = resource(
      'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
      {
        bucket: 'logs',
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' } }],
      },
    );

    it('fails a bucket that is public, half-blocked or unencrypted', async () => {
      expect(
        await check(
          s3BucketsPrivateAndEncrypted,
          { ...bucket, props: { bucket: 'logs', acl: 'public-read' } },
          { ...block, props: { ...block.props, restrictPublicBuckets: false } },
        ),
      ).toEqual([
        expect.stringContaining('public ACL public-read'),
        expect.stringContaining('no public access block'),
        expect.stringContaining('no default encryption'),
      ]);
    });

    it('passes a blocked, encrypted bucket', async () => {
      expect(await check(s3BucketsPrivateAndEncrypted, bucket, block, encryption)).toEqual([]);
    });
  });

  describe('log-group-retention', () => {
    const type = 'aws:cloudwatch/logGroup:LogGroup';
    it('fails a log group kept forever', async () => {
      expect(await check(logGroupsHaveRetention, resource(type, { name: '/x' }))).toEqual([
        expect.stringContaining('forever'),
      ]);
    });
    it('passes one with retention', async () => {
      expect(await check(logGroupsHaveRetention, resource(type, { retentionInDays: 14 }))).toEqual(
        [],
      );
    });
  });

  describe('no-credentials-in-environment', () => {
    const taskDefinition = (environment: { name: string; value: string }[]) =>
      resource('aws:ecs/taskDefinition:TaskDefinition', {
        containerDefinitions: JSON.stringify([
          { name: 'app', environment, secrets: [{ name: 'OPENAI_API_KEY', valueFrom: 'arn' }] },
        ]),
      });

    it('fails keys, tokens, passwords and URLs with a password in environment', async () => {
      expect(
        await check(
          noCredentialsInContainerEnvironment,
          taskDefinition([
            { name: 'OPENAI_API_KEY', value: 'sk-1' },
            { name: 'GITHUB_TOKEN', value: 'ghp' },
            { name: 'DB_PASSWORD', value: 'pw' },
            { name: 'REDIS_URL', value: 'rediss://:hunter2@cache:6379' },
          ]),
        ),
      ).toEqual([
        expect.stringContaining('sets OPENAI_API_KEY in environment'),
        expect.stringContaining('sets GITHUB_TOKEN in environment'),
        expect.stringContaining('sets DB_PASSWORD in environment'),
        expect.stringContaining('sets REDIS_URL to a URL with a password'),
      ]);
    });

    it('passes settings whose names only resemble credentials, and secrets in secrets', async () => {
      expect(
        await check(
          noCredentialsInContainerEnvironment,
          taskDefinition([
            { name: 'LLM_MAX_OUTPUT_TOKENS', value: '1024' },
            { name: 'QDRANT_URL', value: 'http://10.0.0.10:6333' },
            { name: 'PUBLIC_URL', value: 'https://chat.example.com' },
          ]),
        ),
      ).toEqual([]);
    });
  });

  describe('no-iam-star-on-star', () => {
    const rolePolicy = (statement: Record<string, unknown>) =>
      resource('aws:iam/rolePolicy:RolePolicy', {
        policy: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }),
      });

    it('fails "*" on "*", in a role policy or a role’s inline policy', async () => {
      expect(
        await check(
          noWildcardActionOnWildcardResource,
          rolePolicy({ Effect: 'Allow', Action: '*', Resource: '*' }),
          resource('aws:iam/role:Role', {
            inlinePolicies: [
              {
                policy: JSON.stringify({
                  Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', '*'], Resource: ['*'] }],
                }),
              },
            ],
          }),
        ),
      ).toEqual([expect.stringContaining('"*"'), expect.stringContaining('"*"')]);
    });

    it('passes scoped statements, one action on "*", and denies', async () => {
      expect(
        await check(
          noWildcardActionOnWildcardResource,
          rolePolicy({ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }),
          rolePolicy({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::bucket/*' }),
          rolePolicy({ Effect: 'Deny', Action: '*', Resource: '*' }),
        ),
      ).toEqual([]);
    });
  });

  describe('tls-1-2-or-newer', () => {
    const distribution = (props: Record<string, unknown>) =>
      resource('aws:cloudfront/distribution:Distribution', {
        defaultCacheBehavior: { viewerProtocolPolicy: 'redirect-to-https' },
        origins: [{ originId: 'alb', customOriginConfig: { originSslProtocols: ['TLSv1.2'] } }],
        viewerCertificate: {
          acmCertificateArn: 'arn:aws:acm:cert',
          minimumProtocolVersion: 'TLSv1.2_2021',
        },
        ...props,
      });
    const listener = (sslPolicy?: string) =>
      resource('aws:lb/listener:Listener', { protocol: 'HTTPS', port: 443, sslPolicy });
    const redis = (props: Record<string, unknown>) =>
      resource('aws:elasticache/replicationGroup:ReplicationGroup', props);

    it('fails plain HTTP viewers, old viewer and origin TLS, old listener policies and plain Redis', async () => {
      expect(
        await check(
          tls12OrNewer,
          distribution({
            orderedCacheBehaviors: [{ pathPattern: '/widget*', viewerProtocolPolicy: 'allow-all' }],
            origins: [
              {
                originId: 'alb',
                customOriginConfig: { originSslProtocols: ['TLSv1.1', 'TLSv1.2'] },
              },
            ],
            viewerCertificate: { acmCertificateArn: 'arn', minimumProtocolVersion: 'TLSv1_2016' },
          }),
          listener('ELBSecurityPolicy-2016-08'),
          listener(undefined),
          redis({ transitEncryptionEnabled: false }),
          redis({ transitEncryptionEnabled: true, transitEncryptionMode: 'preferred' }),
        ),
      ).toEqual([
        expect.stringContaining('/widget* serves viewers plain HTTP'),
        expect.stringContaining('allows TLSv1_2016'),
        expect.stringContaining('Origin alb allows TLSv1.1'),
        expect.stringContaining('ELBSecurityPolicy-2016-08'),
        expect.stringContaining('the default'),
        expect.stringContaining('not encrypted in transit'),
        expect.stringContaining('plain-text clients'),
      ]);
    });

    it('passes TLS 1.2+ everywhere, CloudFront’s own certificate, and HTTP listeners', async () => {
      expect(
        await check(
          tls12OrNewer,
          distribution({}),
          distribution({ viewerCertificate: { cloudfrontDefaultCertificate: true } }),
          listener('ELBSecurityPolicy-TLS13-1-2-2021-06'),
          listener('ELBSecurityPolicy-TLS-1-2-Ext-2018-06'),
          resource('aws:lb/listener:Listener', { protocol: 'HTTP', port: 80 }),
          redis({ transitEncryptionEnabled: true }),
        ),
      ).toEqual([]);
    });
  });

  describe('standard-tags', () => {
    it('fails a taggable resource without, or with some of, the standard tags', async () => {
      expect(
        await check(
          standardTags,
          resource('aws:cloudwatch/logGroup:LogGroup', {}),
          resource('aws:sns/topic:Topic', { tags: { Project: 'lorechat' } }),
        ),
      ).toEqual([
        'Missing tags: Project, Environment, ManagedBy.',
        'Missing tags: Environment, ManagedBy.',
      ]);
    });

    it('passes tagged resources and resources that take no tags', async () => {
      expect(
        await check(
          standardTags,
          resource('aws:cloudwatch/logGroup:LogGroup', { tags: { ...TAGS, Name: 'x' } }),
          resource('aws:iam/rolePolicy:RolePolicy', { policy: '{}' }),
        ),
      ).toEqual([]);
    });
  });

  describe('deletion-protection', () => {
    const prod = { ...TAGS, Environment: 'prod' };
    const unprotected = (tags: Record<string, string>) => [
      resource('aws:lb/loadBalancer:LoadBalancer', { tags, enableDeletionProtection: false }),
      resource('aws:ec2/instance:Instance', { tags }),
      resource('aws:ebs/volume:Volume', { tags }, { protect: false }),
      resource('aws:elasticache/replicationGroup:ReplicationGroup', { tags }),
      resource('aws:ecr/repository:Repository', { tags, forceDelete: true }),
      resource('aws:s3/bucket:Bucket', { tags, forceDestroy: true }),
      resource('aws:secretsmanager/secret:Secret', { tags, recoveryWindowInDays: 0 }),
    ];

    it('fails every deletable stateful resource in prod', async () => {
      expect(await check(deletionProtectionInProtectedEnvironments, ...unprotected(prod))).toEqual([
        'Set enableDeletionProtection.',
        'Set disableApiTermination.',
        'Protect the volume (resource option protect).',
        'Set finalSnapshotIdentifier.',
        'Do not forceDelete the image repository.',
        'Do not forceDestroy the bucket.',
        'Keep a recovery window (recoveryWindowInDays).',
      ]);
    });

    it('passes them in dev, and protected ones in prod', async () => {
      expect(await check(deletionProtectionInProtectedEnvironments, ...unprotected(TAGS))).toEqual(
        [],
      );
      expect(
        await check(
          deletionProtectionInProtectedEnvironments,
          resource('aws:lb/loadBalancer:LoadBalancer', {
            tags: prod,
            enableDeletionProtection: true,
          }),
          resource('aws:ec2/instance:Instance', { tags: prod, disableApiTermination: true }),
          resource('aws:ebs/volume:Volume', { tags: prod }, { protect: true }),
          resource('aws:elasticache/replicationGroup:ReplicationGroup', {
            tags: prod,
            finalSnapshotIdentifier: 'final',
          }),
          resource('aws:ecr/repository:Repository', { tags: prod, forceDelete: false }),
          resource('aws:s3/bucket:Bucket', { tags: prod }),
          resource('aws:secretsmanager/secret:Secret', { tags: prod, recoveryWindowInDays: 30 }),
          resource('aws:sns/topic:Topic', { tags: prod }),
        ),
      ).toEqual([]);
    });
  });
});
