import * as aws from '@pulumi/aws';
import { type ResourceValidation, type StackValidation } from '@pulumi/policy';
import { text } from './props';
import { DEFAULT_PROTECTED_ENVIRONMENTS, effectiveTags } from './tags';

/** State that survives a lost zone and a bad day in production (prod). */

/** Nodes a self-hosted Qdrant needs in production: a majority survives one lost node or zone. */
export const MIN_QDRANT_NODES = 3;

/** Days of Redis snapshots production keeps: a week of conversations and quotas to go back to. */
export const MIN_REDIS_SNAPSHOT_DAYS = 7;

const protectedEnvironmentsOf = (args: { getConfig: <T extends object>() => T }) =>
  args.getConfig<{ protectedEnvironments?: string[] }>().protectedEnvironments ??
  DEFAULT_PROTECTED_ENVIRONMENTS;

/**
 * A self-hosted Qdrant in production runs as a cluster of at least three nodes, each in its own
 * subnet (and so zone); one instance is one zone, one host and one upgrade away from an outage.
 * A stack with no Qdrant instance points at a managed cluster, which passes. Qdrant's instances
 * are the ones that run its image.
 */
export const qdrantHighlyAvailableInProtectedEnvironments: StackValidation = (
  args,
  reportViolation,
) => {
  const protectedEnvironments = protectedEnvironmentsOf(args);
  const nodes = args.resources.filter(
    (resource) =>
      resource.isType(aws.ec2.Instance) &&
      text(resource.props.userData).includes('qdrant/qdrant:') &&
      protectedEnvironments.includes(text(effectiveTags(resource.props)?.Environment)),
  );
  if (nodes.length === 0) args.notApplicable('No self-hosted Qdrant in a protected environment');
  const subnets = new Set(nodes.map((node) => text(node.props.subnetId)));
  if (nodes.length < MIN_QDRANT_NODES) {
    reportViolation(
      `Qdrant runs on ${nodes.length} node(s) in production: set lorechat:qdrantNodes to ${MIN_QDRANT_NODES} (one per zone) or use a managed cluster (vectorDbMode managed).`,
    );
  } else if (subnets.size < nodes.length) {
    reportViolation(
      `The ${nodes.length} Qdrant nodes share subnets (${subnets.size} for ${nodes.length} nodes): each needs its own zone.`,
    );
  }
};

/** Redis in production keeps at least a week of daily snapshots. */
export const redisSnapshotsInProtectedEnvironments: ResourceValidation = (
  args,
  reportViolation,
) => {
  if (!args.isType(aws.elasticache.ReplicationGroup)) args.notApplicable('Not Redis');
  const environment = text(effectiveTags(args.props)?.Environment);
  if (!protectedEnvironmentsOf(args).includes(environment)) {
    args.notApplicable(`Environment "${environment}" is not protected`);
  }
  const days = Number(args.props.snapshotRetentionLimit ?? 0);
  if (days < MIN_REDIS_SNAPSHOT_DAYS) {
    reportViolation(
      `Redis keeps ${days} day(s) of snapshots in production: set lorechat:redisSnapshotDays to ${MIN_REDIS_SNAPSHOT_DAYS} or more.`,
    );
  }
};
