import * as aws from '@pulumi/aws';
import { type ResourceValidation } from '@pulumi/policy';
import { asArray, isObject, text, type Json } from './props';

/** TLS 1.2 or newer on every endpoint that speaks TLS. */

/** CloudFront viewer security policies that accept nothing older than TLS 1.2. */
const CLOUDFRONT_MODERN_POLICY = /^TLSv1\.[23]_\d{4}$/;

/**
 * ELB security policies without TLS 1.0 or 1.1: the TLS 1.3 family (`ELBSecurityPolicy-TLS13-1-2-…`,
 * `…-TLS13-1-3-…`), and the TLS 1.2-only ones (`ELBSecurityPolicy-TLS-1-2-…`, `ELBSecurityPolicy-FS-1-2-…`).
 */
const ELB_MODERN_POLICY = /^ELBSecurityPolicy-(TLS13-1-[23]|TLS-1-2|FS-1-2)-/;

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
  } else if (args.isType(aws.cloudfront.VpcOrigin)) {
    // A VPC origin carries its own protocols to the origin, instead of the distribution.
    const endpoint = isObject(props.vpcOriginEndpointConfig) ? props.vpcOriginEndpointConfig : {};
    const protocols = isObject(endpoint.originSslProtocols) ? endpoint.originSslProtocols : {};
    const old = asArray(protocols.items)
      .map(String)
      .filter((protocol) => protocol !== 'TLSv1.2');
    if (old.length > 0) reportViolation(`The VPC origin allows ${old.join(', ')}.`);
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
    args.notApplicable(
      'Not a CloudFront distribution or VPC origin, load balancer listener or Redis',
    );
  }
};
