import { deletionProtectionInProtectedEnvironments, standardTags } from '../../policy/tags';
import { TAGS, check, resource } from '../support/policyCheck';

/** The policy pack's tags and deletion protection rules, each against resources that break it and keep it. */
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
