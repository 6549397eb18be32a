import * as aws from '@pulumi/aws';
import {
  validateResourceOfType,
  type PolicyResource,
  type ResourceValidation,
  type StackValidation,
} from '@pulumi/policy';
import { asArray, isObject, text } from './props';

/** Data at rest: private, encrypted buckets and log groups that expire. */

/**
 * A bucket is private when a public access block with all four switches on names it, and
 * encrypted when a server-side encryption configuration names it (or, on older programs, the
 * bucket's own inline configuration). Both are separate resources in AWS provider 7, so this is a
 * stack rule: it matches them to the bucket by name.
 */
export const s3BucketsPrivateAndEncrypted: StackValidation = (args, reportViolation) => {
  const namesOf = (resource: PolicyResource) =>
    [resource.props.bucket, resource.props.id].filter(Boolean).map(String);
  const blocked = new Set(
    args.resources
      .filter((resource) => resource.isType(aws.s3.BucketPublicAccessBlock))
      .filter(
        ({ props }) =>
          props.blockPublicAcls === true &&
          props.blockPublicPolicy === true &&
          props.ignorePublicAcls === true &&
          props.restrictPublicBuckets === true,
      )
      .map((resource) => text(resource.props.bucket)),
  );
  const encrypted = new Set(
    args.resources
      .filter((resource) => resource.isType(aws.s3.BucketServerSideEncryptionConfiguration))
      .filter(({ props }) =>
        asArray(props.rules).some(
          (rule) =>
            isObject(rule) &&
            isObject(rule.applyServerSideEncryptionByDefault) &&
            Boolean(rule.applyServerSideEncryptionByDefault.sseAlgorithm),
        ),
      )
      .map((resource) => text(resource.props.bucket)),
  );
  for (const bucket of args.resources.filter((resource) => resource.isType(aws.s3.Bucket))) {
    const names = namesOf(bucket);
    if (['public-read', 'public-read-write'].includes(text(bucket.props.acl))) {
      reportViolation(
        `Bucket ${bucket.name} has the public ACL ${text(bucket.props.acl)}.`,
        bucket.urn,
      );
    }
    if (!names.some((name) => blocked.has(name))) {
      reportViolation(
        `Bucket ${bucket.name} has no public access block with all four settings on.`,
        bucket.urn,
      );
    }
    const inline = isObject(bucket.props.serverSideEncryptionConfiguration);
    if (!inline && !names.some((name) => encrypted.has(name))) {
      reportViolation(`Bucket ${bucket.name} has no default encryption.`, bucket.urn);
    }
  }
};

/**
 * The conversation log's database: storage encrypted, automated backups kept, and no instance
 * with a public address.
 */
export const databasesPrivateEncryptedBackedUp: ResourceValidation = (args, reportViolation) => {
  if (args.isType(aws.rds.Cluster)) {
    if (args.props.storageEncrypted !== true) {
      reportViolation('The database cluster is not encrypted: set storageEncrypted.');
    }
    if (Number(args.props.backupRetentionPeriod ?? 1) < 1) {
      reportViolation('The database cluster keeps no backups: set backupRetentionPeriod.');
    }
  } else if (args.isType(aws.rds.ClusterInstance) || args.isType(aws.rds.Instance)) {
    if (args.props.publiclyAccessible === true) {
      reportViolation('The database instance is publicly accessible.');
    }
  } else {
    args.notApplicable('Not a database');
  }
};

/** A log group without retention keeps (and bills) every line forever. */
export const logGroupsHaveRetention: ResourceValidation = validateResourceOfType(
  aws.cloudwatch.LogGroup,
  (group, _args, reportViolation) => {
    if (!group.retentionInDays || group.retentionInDays <= 0) {
      reportViolation('The log group keeps its logs forever: set retentionInDays.');
    }
  },
);
