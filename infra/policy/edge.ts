import * as aws from '@pulumi/aws';
import {
  validateResourceOfType,
  type ResourceValidation,
  type StackValidation,
} from '@pulumi/policy';
import { asArray, isObject, text, type Json } from './props';

/** Edge rules: CloudFront is guarded by the WAF, and only CloudFront reaches the load balancer. */

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
