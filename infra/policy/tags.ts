import * as aws from '@pulumi/aws';
import { type ResourceValidation, type ResourceValidationArgs } from '@pulumi/policy';
import { isObject, text, type Json } from './props';

/** Tags for cost allocation, and deletion protection where the data lives. */

/** Tags every taggable resource needs: cost allocation (the budget filters on two of them). */
export const REQUIRED_TAGS = ['Project', 'Environment', 'ManagedBy'] as const;

/**
 * Environments (by the `Environment` tag) whose stateful resources must resist deletion. The tag
 * holds the stack's `environment` setting, not its name, so every stack of prod (its standby
 * region's `prod-dr`, an `eu-prod`) gets these rules.
 */
export const DEFAULT_PROTECTED_ENVIRONMENTS = ['prod'];

/**
 * A resource's effective tags as its provider checked them: the AWS provider merges its default
 * tags into `tagsAll` of every resource that takes tags, before policies run. Undefined for a
 * resource that takes no tags.
 */
export function effectiveTags(props: Json): Json | undefined {
  const own = props.tags;
  const all = props.tagsAll;
  if (own === undefined && all === undefined) return undefined;
  return { ...(isObject(all) ? all : {}), ...(isObject(own) ? own : {}) };
}

/**
 * Cost allocation and the budget work from tags, so every resource that takes tags carries the
 * three standard ones, whether set on it or given by its provider's default tags.
 */
export const standardTags: ResourceValidation = (args, reportViolation) => {
  const tags = effectiveTags(args.props);
  if (tags === undefined) args.notApplicable('The resource type takes no tags');
  const missing = REQUIRED_TAGS.filter((key) => !tags?.[key]);
  if (missing.length > 0) reportViolation(`Missing tags: ${missing.join(', ')}.`);
};

/**
 * In a protected environment (prod) nothing holding data or serving traffic can be deleted by
 * one mistaken command: the load balancer and Qdrant instance have AWS deletion protection, the
 * Qdrant volume Pulumi's `protect` (EBS has no flag of its own), Redis leaves a final snapshot
 * (ElastiCache has no flag either), and the image repository, access log bucket and secrets are
 * never emptied or deleted outright.
 */
export const deletionProtectionInProtectedEnvironments: ResourceValidation = (
  args,
  reportViolation,
) => {
  const { protectedEnvironments = DEFAULT_PROTECTED_ENVIRONMENTS } = args.getConfig<{
    protectedEnvironments?: string[];
  }>();
  const problem = deletionProblem(args);
  if (problem === undefined) {
    args.notApplicable('Not a stateful resource');
  }
  const environment = text(effectiveTags(args.props)?.Environment);
  if (!protectedEnvironments.includes(environment)) {
    args.notApplicable(`Environment "${environment}" is not protected`);
  }
  if (problem) reportViolation(problem);
};

/** What leaves a stateful resource deletable, '' when it is protected, undefined when not stateful. */
function deletionProblem(args: ResourceValidationArgs): string | undefined {
  const { props, opts } = args;
  if (args.isType(aws.lb.LoadBalancer) || args.isType(aws.alb.LoadBalancer)) {
    return props.enableDeletionProtection === true ? '' : 'Set enableDeletionProtection.';
  }
  if (args.isType(aws.ec2.Instance)) {
    return props.disableApiTermination === true ? '' : 'Set disableApiTermination.';
  }
  if (args.isType(aws.ebs.Volume)) {
    return opts.protect ? '' : 'Protect the volume (resource option protect).';
  }
  if (args.isType(aws.elasticache.ReplicationGroup)) {
    return props.finalSnapshotIdentifier ? '' : 'Set finalSnapshotIdentifier.';
  }
  if (args.isType(aws.rds.Cluster)) {
    if (props.deletionProtection !== true) return "Set the database cluster's deletionProtection.";
    return props.skipFinalSnapshot === true ? 'Keep a final database snapshot.' : '';
  }
  if (args.isType(aws.ecr.Repository)) {
    return props.forceDelete === true ? 'Do not forceDelete the image repository.' : '';
  }
  if (args.isType(aws.s3.Bucket)) {
    return props.forceDestroy === true ? 'Do not forceDestroy the bucket.' : '';
  }
  if (args.isType(aws.secretsmanager.Secret)) {
    return props.recoveryWindowInDays === 0 ? 'Keep a recovery window (recoveryWindowInDays).' : '';
  }
  return undefined;
}
