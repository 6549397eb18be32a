import {
  databasesPrivateEncryptedBackedUp,
  logGroupsHaveRetention,
  s3BucketsPrivateAndEncrypted,
} from '../../policy/storage';
import { check, resource } from '../support/policyCheck';

/** The policy pack's data at rest rules, each against resources that break it and keep it. */
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

describe('rds-private-encrypted', () => {
  const cluster = 'aws:rds/cluster:Cluster';
  const instance = 'aws:rds/clusterInstance:ClusterInstance';

  it('fails an unencrypted cluster without backups and a public instance', async () => {
    expect(
      await check(
        databasesPrivateEncryptedBackedUp,
        resource(cluster, { storageEncrypted: false, backupRetentionPeriod: 0 }),
        resource(instance, { publiclyAccessible: true }),
      ),
    ).toEqual([
      expect.stringContaining('not encrypted'),
      expect.stringContaining('keeps no backups'),
      expect.stringContaining('publicly accessible'),
    ]);
  });

  it('passes an encrypted, backed-up cluster and a private instance', async () => {
    expect(
      await check(
        databasesPrivateEncryptedBackedUp,
        resource(cluster, { storageEncrypted: true, backupRetentionPeriod: 7 }),
        resource(instance, { publiclyAccessible: false }),
      ),
    ).toEqual([]);
  });
});
