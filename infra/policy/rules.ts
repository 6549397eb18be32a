import * as aws from '@pulumi/aws';
import {
  validateResourceOfType,
  type PolicyResource,
  type ResourceValidation,
  type ResourceValidationArgs,
  type ResourceValidationPolicy,
  type StackValidation,
  type StackValidationPolicy,
} from '@pulumi/policy';
import { TAGGABLE_TYPES } from '../tagging';

/**
 * LoreChat's security and cost rules, each an exported validation function so unit tests can run
 * it on a hand-made resource without serving a policy pack (index.ts serves them). The rules read
 * what the engine hands a policy: resource inputs for resource rules, and every resource's outputs
 * for stack rules. A value still unknown during a preview makes the framework report the rule as
 * not checkable yet instead of failing it.
 */

/** Tags every taggable resource needs: cost allocation (the budget filters on two of them). */
export const REQUIRED_TAGS = ['Project', 'Environment', 'ManagedBy'] as const;

/**
 * The `com.amazonaws.global.cloudfront.origin-facing` managed prefix list of each region, as AWS
 * publishes it. Its id differs per region and a policy cannot look it up, so the pack carries the
 * list; a region missing here is added through the pack's `cloudFrontPrefixListIds` config.
 */
export const CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS: Readonly<Record<string, string>> = {
  'ap-northeast-1': 'pl-58a04531',
  'ap-northeast-2': 'pl-22a6434b',
  'ap-south-1': 'pl-9aa247f3',
  'ap-southeast-1': 'pl-31a34658',
  'ap-southeast-2': 'pl-b8a742d1',
  'ca-central-1': 'pl-38a64351',
  'eu-central-1': 'pl-a3a144ca',
  'eu-north-1': 'pl-fab65393',
  'eu-west-1': 'pl-4fa04526',
  'eu-west-2': 'pl-93a247fa',
  'eu-west-3': 'pl-75b1541c',
  'sa-east-1': 'pl-5da64334',
  'us-east-1': 'pl-3b927c52',
  'us-east-2': 'pl-b6a144df',
  'us-west-1': 'pl-4ea04527',
  'us-west-2': 'pl-82a045eb',
};

/** Stacks (by their `Environment` tag) whose stateful resources must resist deletion. */
export const DEFAULT_PROTECTED_ENVIRONMENTS = ['prod'];

/** Variable name parts that mark a credential: it belongs in `secrets`, never `environment`. */
const CREDENTIAL_WORDS = new Set([
  'KEY',
  'APIKEY',
  'TOKEN',
  'PASSWORD',
  'PASSWD',
  'SECRET',
  'CREDENTIAL',
  'CREDENTIALS',
  'AUTH',
]);

/** A URL with a password in it, such as `rediss://:pw@host:6379`. */
const URL_WITH_PASSWORD = /^[a-z][a-z0-9+.-]*:\/\/[^/\s@]*:[^/\s@]+@/i;

/** CloudFront viewer security policies that accept nothing older than TLS 1.2. */
const CLOUDFRONT_MODERN_POLICY = /^TLSv1\.[23]_\d{4}$/;

/**
 * ELB security policies without TLS 1.0 or 1.1: the TLS 1.3 family (`ELBSecurityPolicy-TLS13-1-2-…`,
 * `…-TLS13-1-3-…`), and the TLS 1.2-only ones (`ELBSecurityPolicy-TLS-1-2-…`, `ELBSecurityPolicy-FS-1-2-…`).
 */
const ELB_MODERN_POLICY = /^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2)-/;

/** The engine hands props as plain JSON; this reads a nested value without trusting its shape. */
type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A prop as text for matching and messages: strings as they are, anything else as JSON. */
function text(value: unknown, fallback = ''): string {
  if (value === undefined || value === null) return fallback;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}

// ---------------------------------------------------------------------------------------------
// Edge

/** The WAF is what stops floods and abusive question traffic that would cost money per answer. */
export const cloudFrontHasWebAcl: ResourceValidation = validateResourceOfType(
  aws.cloudfront.Distribution,
  (distribution, _args, reportViolation) => {
    if (!distribution.webAclId) {
      reportViolation('The CloudFront distribution has no WAF web ACL (webAclId).');
    }
  },
);

/**
 * The load balancer is public (CloudFront needs an address to reach), so its security groups are
 * the wall: every ingress rule on them must admit CloudFront's origin-facing prefix list and
 * nothing else, neither an address range nor another security group.
 */
export const albIngressFromCloudFrontOnly: StackValidation = (args, reportViolation) => {
  const { cloudFrontPrefixListIds = Object.values(CLOUDFRONT_ORIGIN_FACING_PREFIX_LISTS) } =
    args.getConfig<{ cloudFrontPrefixListIds?: string[] }>();
  const loadBalancerGroups = new Set(
    args.resources
      .filter((resource) => resource.isType(aws.lb.LoadBalancer))
      .filter((resource) => resource.props.loadBalancerType !== 'network')
      .flatMap((resource) => asArray(resource.props.securityGroups).map(String)),
  );
  const onLoadBalancer = (groupId: unknown) => loadBalancerGroups.has(text(groupId));

  for (const resource of args.resources) {
    const sources: { source: Json; urn: string }[] = [];
    if (resource.isType(aws.vpc.SecurityGroupIngressRule)) {
      if (onLoadBalancer(resource.props.securityGroupId)) {
        sources.push({ source: resource.props, urn: resource.urn });
      }
    } else if (resource.isType(aws.ec2.SecurityGroupRule)) {
      if (resource.props.type === 'ingress' && onLoadBalancer(resource.props.securityGroupId)) {
        sources.push({ source: resource.props, urn: resource.urn });
      }
    } else if (resource.isType(aws.ec2.SecurityGroup) && onLoadBalancer(resource.props.id)) {
      for (const rule of asArray(resource.props.ingress).filter(isObject)) {
        sources.push({ source: rule, urn: resource.urn });
      }
    }
    for (const { source, urn } of sources) {
      const problem = ingressProblem(source, cloudFrontPrefixListIds);
      if (problem) reportViolation(`Load balancer ingress ${problem}.`, urn);
    }
  }
};

function ingressProblem(rule: Json, allowedPrefixLists: string[]): string | undefined {
  const cidrs = [
    rule.cidrIpv4,
    rule.cidrIpv6,
    ...asArray(rule.cidrBlocks),
    ...asArray(rule.ipv6CidrBlocks),
  ].filter((cidr) => cidr !== undefined && cidr !== null && cidr !== '');
  if (cidrs.length > 0) return `admits the address range ${cidrs.map(String).join(', ')}`;
  const groups = [
    rule.referencedSecurityGroupId,
    rule.sourceSecurityGroupId,
    ...asArray(rule.securityGroups),
  ].filter((group) => group !== undefined && group !== null && group !== '');
  if (groups.length > 0 || rule.self === true) return 'admits another security group';
  const prefixLists = [rule.prefixListId, ...asArray(rule.prefixListIds)].filter(
    (id) => id !== undefined && id !== null && id !== '',
  );
  if (prefixLists.length === 0) return 'names no CloudFront prefix list';
  const foreign = prefixLists.map(String).filter((id) => !allowedPrefixLists.includes(id));
  if (foreign.length > 0) {
    return `admits ${foreign.join(', ')}, not CloudFront's origin-facing prefix list`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Data at rest

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

/** A log group without retention keeps (and bills) every line forever. */
export const logGroupsHaveRetention: ResourceValidation = validateResourceOfType(
  aws.cloudwatch.LogGroup,
  (group, _args, reportViolation) => {
    if (!group.retentionInDays || group.retentionInDays <= 0) {
      reportViolation('The log group keeps its logs forever: set retentionInDays.');
    }
  },
);

// ---------------------------------------------------------------------------------------------
// Secrets and permissions

/**
 * `environment` values are plain text in the task definition, visible to anyone who may describe
 * it; credentials go through `secrets`, which ECS resolves from Secrets Manager at start.
 */
export const noCredentialsInContainerEnvironment: ResourceValidation = validateResourceOfType(
  aws.ecs.TaskDefinition,
  (taskDefinition, _args, reportViolation) => {
    const definitions: unknown = JSON.parse(taskDefinition.containerDefinitions);
    for (const definition of asArray(definitions).filter(isObject)) {
      for (const variable of asArray(definition.environment).filter(isObject)) {
        const name = text(variable.name);
        const words = name.toUpperCase().split(/[^A-Z0-9]+/);
        if (words.some((word) => CREDENTIAL_WORDS.has(word))) {
          reportViolation(
            `Container ${text(definition.name)} sets ${name} in environment: pass it in secrets.`,
          );
        } else if (URL_WITH_PASSWORD.test(text(variable.value))) {
          reportViolation(
            `Container ${text(definition.name)} sets ${name} to a URL with a password: pass it in secrets.`,
          );
        }
      }
    }
  },
);

interface Statement {
  Effect?: unknown;
  Action?: unknown;
  Resource?: unknown;
}

/** The statements of a policy document, given as JSON text or as an object. */
function statementsOf(document: unknown): Statement[] {
  const parsed: unknown = typeof document === 'string' ? JSON.parse(document) : document;
  if (!isObject(parsed)) return [];
  return asArray(parsed.Statement).filter(isObject);
}

/** Policy documents a resource carries, by where each IAM resource type keeps them. */
function policyDocumentsOf(args: ResourceValidationArgs): unknown[] {
  if (
    args.isType(aws.iam.Policy) ||
    args.isType(aws.iam.RolePolicy) ||
    args.isType(aws.iam.UserPolicy) ||
    args.isType(aws.iam.GroupPolicy)
  ) {
    return [args.props.policy];
  }
  if (args.isType(aws.iam.Role)) {
    return asArray(args.props.inlinePolicies)
      .filter(isObject)
      .map((policy) => policy.policy);
  }
  return args.notApplicable('Only IAM policies and roles carry identity policy statements');
}

/** Allowing every action on every resource is administrator access, whatever the role is for. */
export const noWildcardActionOnWildcardResource: ResourceValidation = (args, reportViolation) => {
  for (const document of policyDocumentsOf(args)) {
    if (document === undefined || document === null || document === '') continue;
    for (const statement of statementsOf(document)) {
      if (statement.Effect !== 'Allow') continue;
      const everyAction = asArray(statement.Action).some(
        (action) => action === '*' || action === '*:*',
      );
      const everyResource = asArray(statement.Resource).includes('*');
      if (everyAction && everyResource) {
        reportViolation('An IAM statement allows action "*" on resource "*".');
      }
    }
  }
};

// ---------------------------------------------------------------------------------------------
// TLS

/**
 * Viewers get HTTPS (redirected or required), a custom certificate is served with a TLS 1.2+
 * policy, and CloudFront speaks only TLS 1.2 to an HTTPS origin. With CloudFront's own
 * *.cloudfront.net certificate the viewer policy is fixed by AWS and cannot be set, so only the
 * redirect to HTTPS is checked there; stacks with a custom domain get the full check.
 */
const cloudFrontTls = (distribution: Json, reportViolation: (message: string) => void) => {
  const behaviors = [
    distribution.defaultCacheBehavior,
    ...asArray(distribution.orderedCacheBehaviors),
  ].filter(isObject);
  for (const behavior of behaviors) {
    if (behavior.viewerProtocolPolicy === 'allow-all') {
      reportViolation(
        `Cache behavior ${text(behavior.pathPattern, 'default')} serves viewers plain HTTP.`,
      );
    }
  }
  const certificate = isObject(distribution.viewerCertificate)
    ? distribution.viewerCertificate
    : {};
  const customCertificate = Boolean(certificate.acmCertificateArn ?? certificate.iamCertificateId);
  if (
    customCertificate &&
    !CLOUDFRONT_MODERN_POLICY.test(text(certificate.minimumProtocolVersion))
  ) {
    reportViolation(
      `The viewer certificate allows ${text(certificate.minimumProtocolVersion, 'TLSv1')}: use TLSv1.2_2021 or newer.`,
    );
  }
  for (const origin of asArray(distribution.origins).filter(isObject)) {
    const config = isObject(origin.customOriginConfig) ? origin.customOriginConfig : undefined;
    const old = asArray(config?.originSslProtocols)
      .map(String)
      .filter((protocol) => protocol !== 'TLSv1.2');
    if (old.length > 0) {
      reportViolation(`Origin ${text(origin.originId)} allows ${old.join(', ')}.`);
    }
  }
};

/**
 * Every TLS endpoint accepts TLS 1.2 or newer only: CloudFront to viewers and to the origin, HTTPS
 * and TLS listeners of load balancers, and Redis in transit (ElastiCache speaks TLS 1.2+ when
 * transit encryption is required). A plain HTTP listener is not TLS and is left to the rule that
 * only CloudFront reaches the load balancer.
 */
export const tls12OrNewer: ResourceValidation = (args, reportViolation) => {
  const { props } = args;
  if (args.isType(aws.cloudfront.Distribution)) {
    cloudFrontTls(props, reportViolation);
  } else if (args.isType(aws.lb.Listener) || args.isType(aws.alb.Listener)) {
    if (
      ['HTTPS', 'TLS'].includes(text(props.protocol)) &&
      !ELB_MODERN_POLICY.test(text(props.sslPolicy))
    ) {
      reportViolation(
        `The ${text(props.protocol)} listener's SSL policy ${text(props.sslPolicy, '(the default, which allows TLS 1.0)')} allows TLS older than 1.2.`,
      );
    }
  } else if (
    args.isType(aws.elasticache.ReplicationGroup) ||
    args.isType(aws.elasticache.Cluster)
  ) {
    if (props.transitEncryptionEnabled !== true) {
      reportViolation('Redis traffic is not encrypted in transit (transitEncryptionEnabled).');
    } else if (props.transitEncryptionMode === 'preferred') {
      reportViolation('Redis accepts plain-text clients (transitEncryptionMode "preferred").');
    }
  } else {
    args.notApplicable('Not a CloudFront distribution, load balancer listener or Redis');
  }
};

// ---------------------------------------------------------------------------------------------
// Tags and deletion protection

/**
 * Cost allocation and the budget work from tags, so every resource that takes tags carries the
 * three standard ones. Taggable means listed in infra/tagging.ts (which the stack tests check
 * against the AWS SDK's definitions) or already given tags.
 */
export const standardTags: ResourceValidation = (args, reportViolation) => {
  const tags: unknown = args.props.tags;
  if (!TAGGABLE_TYPES.has(args.type) && tags === undefined) {
    args.notApplicable('The resource type takes no tags');
  }
  const given = isObject(tags) ? tags : {};
  const missing = REQUIRED_TAGS.filter((key) => !given[key]);
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
  const tags: unknown = args.props.tags;
  const environment = isObject(tags) ? text(tags.Environment) : '';
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

// ---------------------------------------------------------------------------------------------
// The pack's policies

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
];
