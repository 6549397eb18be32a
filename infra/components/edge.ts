import { ADMIN_SESSION_COOKIE, CONSOLE_HEADER } from '@lorechat/contracts';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { type PriceClass } from '../config';
import { DnsValidatedCertificate } from './certificate';
import {
  FAILOVER_CONNECTION,
  ALL_METHODS,
  ORIGIN_ID,
  STANDBY_ORIGIN_ID,
  originRouting,
  standbyOriginProtocol,
  vpcOriginEndpoint,
  type OriginRouting,
  type StandbyOrigin,
} from './edgeOrigins';
import { ADMIN_PATH_PATTERNS, CHAT_PATH, STATIC_PATH_PATTERN } from './edgePaths';
import { edgeWebAcl, type WafSettings } from './waf';

/** AWS-managed CloudFront policies, by their documented, fixed ids. */
export const MANAGED_POLICY = {
  /** Cache nothing: every request reaches the origin. */
  cachingDisabled: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
  /**
   * Forward every viewer header, cookie and query string except Host: Socket.IO needs its query
   * (`EIO`, `transport`), the WebSocket upgrade headers and Origin for the allow-list. Host stays
   * the origin's, so a certificate on it matches.
   */
  allViewerExceptHostHeader: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
} as const;

/** CloudFront waits this long for a response: longer than a Socket.IO ping interval (25 s). */
export const ORIGIN_READ_TIMEOUT_SECONDS = 60;

/** CloudFront reuses an idle origin connection this long: less than the load balancer keeps it. */
export const ORIGIN_KEEPALIVE_SECONDS = 60;

export interface EdgeArgs {
  /** CloudFront, its WAF and certificates are configured through us-east-1. */
  usEast1Provider: aws.Provider;
  /** The internal load balancer the VPC origin reaches. */
  loadBalancerArn: pulumi.Input<string>;
  /** The name CloudFront connects to (and checks the certificate of, over HTTPS). */
  originDomainName: pulumi.Input<string>;
  originProtocol: 'http' | 'https';
  domain?: { name: string; hostedZoneId: string };
  priceClass: PriceClass;
  waf: WafSettings;
  logRetentionDays: number;
  /** The standby stack's load balancer in another region, once it exists (edgeOrigins.ts). */
  standby?: StandbyOrigin;
}

/**
 * CloudFront in front of the load balancer, with its WAF web ACL (waf.ts). CloudFront reaches the
 * internal load balancer through a VPC origin, inside AWS's network, and with a standby stack
 * also the standby's, in an origin group (edgeOrigins.ts). CloudFront and WAF are global services
 * configured through us-east-1, as is the certificate of a custom domain, so every resource here
 * uses the us-east-1 provider; a regional outage leaves them, and the switch, working.
 */
export class Edge extends pulumi.ComponentResource {
  /** Where visitors reach LoreChat: the custom domain, or the distribution's own name. */
  readonly url: pulumi.Output<string>;
  readonly distributionId: pulumi.Output<string>;
  readonly webAclArn: pulumi.Output<string>;
  /**
   * The `WebACL` dimension WAF publishes the web ACL's metrics under: its visibility config's
   * metric name, not its resource name.
   */
  readonly webAclMetricName: string;

  constructor(name: string, args: EdgeArgs, opts?: pulumi.ComponentResourceOptions) {
    super('lorechat:edge:Edge', name, {}, opts);

    const usEast1 = args.usEast1Provider;
    const inUsEast1 = { parent: this, provider: usEast1 };
    const { webAcl, metricName: webAclMetricName } = edgeWebAcl(
      name,
      { waf: args.waf, logRetentionDays: args.logRetentionDays },
      inUsEast1,
    );

    const staticCache = new aws.cloudfront.CachePolicy(
      `${name}-static`,
      {
        comment: 'LoreChat widget: honour the origin Cache-Control, compress',
        // The origin's Cache-Control decides; these bound it and cover responses without one.
        minTtl: 0,
        defaultTtl: 60 * 60,
        maxTtl: 365 * 24 * 60 * 60,
        parametersInCacheKeyAndForwardedToOrigin: {
          cookiesConfig: { cookieBehavior: 'none' },
          headersConfig: { headerBehavior: 'none' },
          // The bundle is the same whatever the query string: one cached copy serves all.
          queryStringsConfig: { queryStringBehavior: 'none' },
          enableAcceptEncodingGzip: true,
          enableAcceptEncodingBrotli: true,
        },
      },
      inUsEast1,
    );
    // The admin paths reach the origin every time with what authenticates them. CloudFront forwards
    // Authorization only as part of a cache key (an origin request policy may not name it), so
    // this policy keys on it, the session cookie and the console's header; a default and maximum
    // TTL of 0 and 1 second keep anything from being served from cache (the API also answers
    // no-store where it matters).
    const adminCache = new aws.cloudfront.CachePolicy(
      `${name}-admin`,
      {
        comment: 'LoreChat console and admin API: forward the credentials, cache nothing',
        minTtl: 0,
        defaultTtl: 0,
        maxTtl: 1,
        parametersInCacheKeyAndForwardedToOrigin: {
          cookiesConfig: {
            cookieBehavior: 'whitelist',
            cookies: { items: [ADMIN_SESSION_COOKIE] },
          },
          headersConfig: {
            headerBehavior: 'whitelist',
            headers: { items: ADMIN_FORWARDED_HEADERS },
          },
          // Filters, paging and export formats.
          queryStringsConfig: { queryStringBehavior: 'all' },
          enableAcceptEncodingGzip: true,
          enableAcceptEncodingBrotli: true,
        },
      },
      inUsEast1,
    );
    const securityHeaders = new aws.cloudfront.ResponseHeadersPolicy(
      `${name}-security-headers`,
      { comment: 'LoreChat security headers', securityHeadersConfig: SECURITY_HEADERS },
      inUsEast1,
    );

    const certificate = args.domain
      ? new DnsValidatedCertificate(
          `${name}-cert`,
          { domainName: args.domain.name, hostedZoneId: args.domain.hostedZoneId },
          { parent: this, providers: [usEast1] },
        )
      : undefined;

    const vpcOrigin = new aws.cloudfront.VpcOrigin(
      `${name}-origin`,
      {
        vpcOriginEndpointConfig: vpcOriginEndpoint(
          `${name}-origin`,
          args.loadBalancerArn,
          args.originProtocol,
        ),
      },
      inUsEast1,
    );
    const standbyOrigin = args.standby
      ? new aws.cloudfront.VpcOrigin(
          `${name}-standby-origin`,
          {
            vpcOriginEndpointConfig: vpcOriginEndpoint(
              `${name}-standby-origin`,
              args.standby.loadBalancerArn,
              standbyOriginProtocol(args.standby.originDomainName),
            ),
          },
          inUsEast1,
        )
      : undefined;
    const routing = originRouting(args.standby);
    const origin = (
      originId: string,
      domainName: pulumi.Input<string>,
      vpcOriginId: pulumi.Input<string>,
    ): aws.types.input.cloudfront.DistributionOrigin => ({
      originId,
      domainName,
      ...(args.standby && FAILOVER_CONNECTION),
      vpcOriginConfig: {
        vpcOriginId,
        originReadTimeout: ORIGIN_READ_TIMEOUT_SECONDS,
        originKeepaliveTimeout: ORIGIN_KEEPALIVE_SECONDS,
      },
    });

    const behaviors = cacheBehaviors(
      {
        staticCachePolicyId: staticCache.id,
        adminCachePolicyId: adminCache.id,
        responseHeadersPolicyId: securityHeaders.id,
      },
      routing,
    );
    const distribution = new aws.cloudfront.Distribution(
      `${name}-cdn`,
      {
        enabled: true,
        comment: name,
        httpVersion: 'http2and3',
        isIpv6Enabled: true,
        priceClass: args.priceClass,
        webAclId: webAcl.arn,
        aliases: args.domain ? [args.domain.name] : [],
        origins: [
          origin(ORIGIN_ID, args.originDomainName, vpcOrigin.id),
          ...(args.standby && standbyOrigin
            ? [origin(STANDBY_ORIGIN_ID, args.standby.originDomainName, standbyOrigin.id)]
            : []),
        ],
        // Left out, not empty, without a standby: the distribution stays as it was before DR.
        ...(routing.originGroups.length > 0 && { originGroups: routing.originGroups }),
        defaultCacheBehavior: behaviors.defaultBehavior,
        orderedCacheBehaviors: behaviors.orderedBehaviors,
        restrictions: { geoRestriction: { restrictionType: 'none' } },
        viewerCertificate: certificate
          ? {
              acmCertificateArn: certificate.certificateArn,
              sslSupportMethod: 'sni-only',
              minimumProtocolVersion: 'TLSv1.2_2021',
            }
          : // CloudFront's own *.cloudfront.net certificate; its TLS policy is not configurable.
            { cloudfrontDefaultCertificate: true },
      },
      inUsEast1,
    );

    if (args.domain) {
      for (const type of ['A', 'AAAA']) {
        new aws.route53.Record(
          `${name}-${type.toLowerCase()}`,
          {
            zoneId: args.domain.hostedZoneId,
            name: args.domain.name,
            type,
            aliases: [
              {
                name: distribution.domainName,
                zoneId: distribution.hostedZoneId,
                evaluateTargetHealth: false,
              },
            ],
          },
          inUsEast1,
        );
      }
    }

    this.url = args.domain
      ? pulumi.output(`https://${args.domain.name}`)
      : pulumi.interpolate`https://${distribution.domainName}`;
    this.distributionId = distribution.id;
    this.webAclArn = webAcl.arn;
    this.webAclMetricName = webAclMetricName;

    this.registerOutputs({
      url: this.url,
      distributionId: this.distributionId,
      webAclArn: this.webAclArn,
    });
  }
}

/**
 * How CloudFront treats each path. Chat and API traffic is never cached and reaches the origin
 * with everything the viewer sent; `/socket.io/*` is spelled out so that a change to the default
 * can never start caching the chat transport. The widget is cached and compressed. `routing`
 * says which origin (or failover group) each path goes to.
 */
export function cacheBehaviors(
  policies: {
    staticCachePolicyId: pulumi.Input<string>;
    adminCachePolicyId: pulumi.Input<string>;
    responseHeadersPolicyId: pulumi.Input<string>;
  },
  routing: OriginRouting = originRouting(undefined),
): {
  defaultBehavior: aws.types.input.cloudfront.DistributionDefaultCacheBehavior;
  orderedBehaviors: aws.types.input.cloudfront.DistributionOrderedCacheBehavior[];
} {
  const dynamic = {
    targetOriginId: routing.writeOriginId,
    viewerProtocolPolicy: 'redirect-to-https',
    allowedMethods: ALL_METHODS,
    cachedMethods: ['GET', 'HEAD'],
    cachePolicyId: MANAGED_POLICY.cachingDisabled,
    originRequestPolicyId: MANAGED_POLICY.allViewerExceptHostHeader,
    responseHeadersPolicyId: policies.responseHeadersPolicyId,
  };
  return {
    defaultBehavior: dynamic,
    orderedBehaviors: [
      {
        ...dynamic,
        pathPattern: `${CHAT_PATH}*`,
        targetOriginId: routing.readOriginId,
        allowedMethods: routing.chatMethods,
      },
      // The viewer's other headers (Content-Type, Origin) still reach the origin as on every path.
      ...ADMIN_PATH_PATTERNS.map((pathPattern) => ({
        ...dynamic,
        pathPattern,
        cachePolicyId: policies.adminCachePolicyId,
      })),
      {
        pathPattern: STATIC_PATH_PATTERN,
        targetOriginId: routing.readOriginId,
        viewerProtocolPolicy: 'redirect-to-https',
        allowedMethods: ['GET', 'HEAD'],
        cachedMethods: ['GET', 'HEAD'],
        compress: true,
        cachePolicyId: policies.staticCachePolicyId,
        responseHeadersPolicyId: policies.responseHeadersPolicyId,
      },
    ],
  };
}

/** What authenticates an admin request: the bearer token, or the console's session and header. */
export const ADMIN_FORWARDED_HEADERS = ['Authorization', CONSOLE_HEADER];

/** HSTS, no sniffing, no framing, and a referrer policy that keeps paths on this origin. */
export const SECURITY_HEADERS: aws.types.input.cloudfront.ResponseHeadersPolicySecurityHeadersConfig =
  {
    strictTransportSecurity: {
      accessControlMaxAgeSec: 2 * 365 * 24 * 60 * 60,
      includeSubdomains: true,
      override: true,
    },
    contentTypeOptions: { override: true },
    frameOptions: { frameOption: 'DENY', override: true },
    referrerPolicy: { referrerPolicy: 'strict-origin-when-cross-origin', override: true },
  };
