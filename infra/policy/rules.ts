import { type ResourceValidationPolicy, type StackValidationPolicy } from '@pulumi/policy';
import {
  CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS,
  albIngressFromCloudFrontOnly,
  cloudFrontHasWebAcl,
} from './edge';
import { noCredentialsInContainerEnvironment, noWildcardActionOnWildcardResource } from './iam';
import {
  databasesPrivateEncryptedBackedUp,
  logGroupsHaveRetention,
  s3BucketsPrivateAndEncrypted,
} from './storage';
import {
  DEFAULT_PROTECTED_ENVIRONMENTS,
  REQUIRED_TAGS,
  deletionProtectionInProtectedEnvironments,
  standardTags,
} from './tags';
import {
  qdrantHighlyAvailableInProtectedEnvironments,
  redisSnapshotsInProtectedEnvironments,
} from './resilience';
import { tls12OrNewer } from './tls';

/**
 * LoreChat's security and cost rules, each an exported validation function so unit tests can run
 * it on a hand-made resource without serving a policy pack (index.ts serves them). The rules read
 * what the engine hands a policy: resource inputs for resource rules, and every resource's outputs
 * for stack rules. A value still unknown during a preview makes the framework report the rule as
 * not checkable yet instead of failing it.
 */

export const policies: (ResourceValidationPolicy | StackValidationPolicy)[] = [
  {
    name: 'cloudfront-web-acl',
    description: 'CloudFront distributions are protected by a WAF web ACL.',
    validateResource: cloudFrontHasWebAcl,
  },
  {
    name: 'alb-ingress-cloudfront-only',
    description: "Load balancer security groups admit only CloudFront's origin-facing prefix list.",
    configSchema: {
      properties: {
        cloudFrontPrefixListIds: {
          type: 'array',
          items: { type: 'string' },
          default: Object.values(CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS),
          description: 'Ids of the com.amazonaws.global.cloudfront.origin-facing prefix lists.',
        },
      },
    },
    validateStack: albIngressFromCloudFrontOnly,
  },
  {
    name: 's3-private-encrypted',
    description: 'S3 buckets block public access and are encrypted by default.',
    validateStack: s3BucketsPrivateAndEncrypted,
  },
  {
    name: 'rds-private-encrypted',
    description: 'Databases are encrypted, backed up and never publicly accessible.',
    validateResource: databasesPrivateEncryptedBackedUp,
  },
  {
    name: 'log-group-retention',
    description: 'CloudWatch log groups expire their logs.',
    validateResource: logGroupsHaveRetention,
  },
  {
    name: 'no-credentials-in-environment',
    description:
      'Container definitions pass keys, tokens and passwords in secrets, not environment.',
    validateResource: noCredentialsInContainerEnvironment,
  },
  {
    name: 'no-iam-star-on-star',
    description: 'No IAM statement allows action "*" on resource "*".',
    validateResource: noWildcardActionOnWildcardResource,
  },
  {
    name: 'tls-1-2-or-newer',
    description: 'CloudFront, load balancer listeners and Redis accept TLS 1.2 or newer only.',
    validateResource: tls12OrNewer,
  },
  {
    name: 'standard-tags',
    description: `Taggable resources carry the ${REQUIRED_TAGS.join(', ')} tags.`,
    validateResource: standardTags,
  },
  {
    name: 'deletion-protection',
    description: 'Stateful resources of protected environments (prod) resist deletion.',
    configSchema: {
      properties: {
        protectedEnvironments: {
          type: 'array',
          items: { type: 'string' },
          default: DEFAULT_PROTECTED_ENVIRONMENTS,
          description: 'Environment tag values whose stateful resources must be protected.',
        },
      },
    },
    validateResource: deletionProtectionInProtectedEnvironments,
  },
  {
    name: 'qdrant-highly-available',
    description:
      'Self-hosted Qdrant of protected environments (prod) runs on 3 or more nodes in their own zones, or is managed.',
    configSchema: {
      properties: {
        protectedEnvironments: {
          type: 'array',
          items: { type: 'string' },
          default: DEFAULT_PROTECTED_ENVIRONMENTS,
          description: 'Environment tag values whose Qdrant must survive a lost node.',
        },
      },
    },
    validateStack: qdrantHighlyAvailableInProtectedEnvironments,
  },
  {
    name: 'redis-snapshots',
    description: 'Redis of protected environments (prod) keeps 7 or more days of daily snapshots.',
    configSchema: {
      properties: {
        protectedEnvironments: {
          type: 'array',
          items: { type: 'string' },
          default: DEFAULT_PROTECTED_ENVIRONMENTS,
          description: 'Environment tag values whose Redis must keep a week of snapshots.',
        },
      },
    },
    validateResource: redisSnapshotsInProtectedEnvironments,
  },
];
