import type * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { type ContainerSecret } from './secrets';

/**
 * What a primary stack keeps in its standby region (`drRegion`) so a standby stack there can take
 * over: copies of the Qdrant snapshots and replicas of the secrets. Each is made by the primary
 * region's own service (Data Lifecycle Manager copies the snapshots, Secrets Manager keeps the
 * replicas in sync), so the primary stack needs no provider in the standby region: nothing it
 * declares is created there. The image is replicated once per account, by the bootstrap stack's
 * registry replication (bootstrap/account.ts).
 */

/** Where and how long the standby region keeps copies of the Qdrant volume's snapshots. */
export interface SnapshotCopy {
  region: string;
  /** DLM keeps cross-region copies for a time, not a count. */
  days: number;
}

/**
 * The DLM schedule's cross-region copy rule: every daily snapshot is copied to the standby region
 * as soon as it completes, so the newest copy there is at most a day (the snapshot interval) plus
 * the copy time old. The volume is encrypted with the account's default EBS key, which does not
 * leave its region, so the copy is re-encrypted with the standby region's default key (no key to
 * share or manage), and keeps the source's tags, which the standby stack finds it by.
 */
export function snapshotCopyRules(
  copy: SnapshotCopy | undefined,
): aws.types.input.dlm.LifecyclePolicyPolicyDetailsScheduleCrossRegionCopyRule[] | undefined {
  if (!copy) return undefined;
  return [
    {
      target: copy.region,
      encrypted: true,
      copyTags: true,
      retainRule: { interval: copy.days, intervalUnit: 'DAYS' },
    },
  ];
}

/**
 * Secrets Manager replicas of a secret in the standby region, encrypted with that region's
 * `aws/secretsmanager` key like the primary (the secrets use no customer-managed key, so there is
 * no key to create there). A replica is read-only and follows every new version of the primary,
 * so the signing key, admin token and provider keys can be read there while the primary region is
 * down.
 */
export function secretReplicas(
  region: string | undefined,
): aws.types.input.secretsmanager.SecretReplica[] | undefined {
  return region ? [{ region }] : undefined;
}

/** The keys a standby shares with its primary: tokens issued in one region pass in the other. */
export const SHARED_SERVER_KEYS = ['VISITOR_TOKEN_SECRET', 'ADMIN_TOKEN'];

/**
 * The ARN of a secret's replica in `region`: Secrets Manager gives a replica the primary's name
 * and random suffix, in its own region.
 */
export function replicaSecretArn(primaryArn: string, region: string): string {
  const parts = primaryArn.split(':');
  parts[3] = region;
  return parts.join(':');
}

/**
 * The standby's tasks read the shared keys from the replica of the primary's server secret, at
 * its current version (a replica's version ids are the primary's, which the standby cannot
 * know): a visitor's token, signed in either region, and the owner's admin token work after a
 * switch, and a rotated key reaches the standby's tasks when they next start.
 */
export function sharedServerSecrets(primaryArn: string, region: string): ContainerSecret[] {
  const arn = replicaSecretArn(primaryArn, region);
  return SHARED_SERVER_KEYS.map((name) => ({
    name,
    valueFrom: pulumi.output(`${arn}:${name}::`),
    secretArn: pulumi.output(arn),
  }));
}
