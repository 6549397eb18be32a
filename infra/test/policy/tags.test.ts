import { deletionProtectionInProtectedEnvironments, standardTags } from '../../policy/tags';
import { TAGS, check, resource } from '../support/policyCheck';

/** The policy pack's tags and deletion protection rules, each against resources that break it and keep it. */
describe('standard-tags', () => {
  // The AWS provider sets `tagsAll` on every resource that takes tags during its check: its
  // default tags merged with the resource's own, or {} when there are none.
  it('fails a taggable resource without, or with some of, the standard tags', async () => {
    expect(
      await check(
        standardTags,
        resource('aws:cloudwatch/logGroup:LogGroup', { tagsAll: {} }),
        resource('aws:sns/topic:Topic', {
          tags: { Project: 'lorechat' },
          tagsAll: { Project: 'lorechat' },
        }),
      ),
    ).toEqual([
      'Missing tags: Project, Environment, ManagedBy.',
      'Missing tags: Environment, ManagedBy.',
    ]);
  });

  it("passes resources tagged by their provider's default tags or their own, and those that take none", async () => {
    expect(
      await check(
        standardTags,
        resource('aws:cloudwatch/logGroup:LogGroup', { tagsAll: TAGS }),
        resource('aws:ec2/instance:Instance', {
          tags: { Name: 'x' },
          tagsAll: { ...TAGS, Name: 'x' },
        }),
        resource('aws:sns/topic:Topic', { tags: { ...TAGS, Name: 'x' } }),
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
    resource('aws:rds/cluster:Cluster', {
      tags,
      deletionProtection: true,
      skipFinalSnapshot: true,
    }),
    resource('aws:rds/cluster:Cluster', { tags, deletionProtection: false }),
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
      'Keep a final database snapshot.',
      "Set the database cluster's deletionProtection.",
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
