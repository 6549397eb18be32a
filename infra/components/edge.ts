import { SOCKET_IO_PATH } from '@lorechat/contracts';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { type PriceClass } from '../config';
import { DnsValidatedCertificate } from './certificate';

/** The Socket.IO transport: WebSocket upgrades and the long-polling fallback. */
export const CHAT_PATH = `${SOCKET_IO_PATH}/`;

/**
 * The widget bundle and anything else the backend serves under `/widget`: the only responses worth
 * caching at the edge. Everything else (chat, API, health, demo page) is per visitor.
 */
export const STATIC_PATH_PATTERN = '/widget*';

/** AWS-managed CloudFront policies, by their documented, fixed ids. */
export const MANAGED_POLICY = {
  /** Cache nothing: every request reaches the origin. */
  cachingDisabled: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
  /**
   * Forward every viewer header, cookie and query string except Host: Socket.IO needs its query
   * (`EIO`, `transport`, `sid`), the WebSocket upgrade headers, Origin for the allow-list and the
   * load balancer's stickiness cookie. Host stays the origin's, so a certificate on it matches.
   */
  allViewerExceptHostHeader: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
} as const;

/** CloudFront waits this long for a response: longer than a Socket.IO long-poll (25 s). */
export const ORIGIN_READ_TIMEOUT_SECONDS = 60;

/** CloudFront reuses an idle origin connection this long: less than the load balancer keeps it. */
export const ORIGIN_KEEPALIVE_SECONDS = 60;

export interface WafSettings {
  /** Requests per IP per 5 minutes, all paths. */
  rateLimit: number;
  /** Requests per IP per 5 minutes on the chat transport. */
  chatRateLimit: number;
  blockedCountries: string[];
}

export interface EdgeArgs {
  /** Passed on to the us-east-1 provider, which otherwise would not see `aws:profile`. */
  awsProfile?: string;
  originDomainName: pulumi.Input<string>;
  originProtocol: 'http' | 'https';
  /** Added by CloudFront to every origin request; the load balancer requires it. */
  originVerifyHeader: { name: string; value: pulumi.Input<string> };
  domain?: { name: string; hostedZoneId: string };
  priceClass: PriceClass;
  waf: WafSettings;
  logRetentionDays: number;
}

/**
 * CloudFront in front of the load balancer, with its WAF web ACL. Both are global services
 * configured through us-east-1, as is the certificate of a custom domain, so every resource here
 * uses a us-east-1 provider.
 */
export class Edge extends pulumi.ComponentResource {
  /** Where visitors reach LoreChat: the custom domain, or the distribution's own name. */
  readonly url: pulumi.Output<string>;
  readonly distributionId: pulumi.Output<string>;
  readonly webAclArn: pulumi.Output<string>;
  readonly webAclName: pulumi.Output<string>;
  /** CloudFront and WAF metrics live in us-east-1: the edge alarms are created through this. */
  readonly usEast1Provider: aws.Provider;

  constructor(name: string, args: EdgeArgs, opts?: pulumi.ComponentResourceOptions) {
    super('lorechat:edge:Edge', name, {}, opts);

    const usEast1 = new aws.Provider(
      `${name}-us-east-1`,
      { region: 'us-east-1', profile: args.awsProfile },
      { parent: this },
    );
    const inUsEast1 = { parent: this, provider: usEast1 };

    const webAcl = new aws.wafv2.WebAcl(
      `${name}-waf`,
      {
        scope: 'CLOUDFRONT',
        description: 'LoreChat edge: managed rules, per-IP rate limits',
        defaultAction: { allow: {} },
        rules: webAclRules(args.waf),
        visibilityConfig: visibility(`${name}-waf`),
      },
      inUsEast1,
    );
    // WAF delivers only to log groups whose names start with aws-waf-logs-.
    const wafLogs = new aws.cloudwatch.LogGroup(
      `${name}-waf`,
      { name: `aws-waf-logs-${name}`, retentionInDays: args.logRetentionDays },
      inUsEast1,
    );
    new aws.wafv2.WebAclLoggingConfiguration(
      `${name}-waf`,
      {
        resourceArn: webAcl.arn,
        logDestinationConfigs: [wafLogs.arn],
        redactedFields: WAF_REDACTED_FIELDS,
        // Blocked and counted requests only: allowed traffic is in the load balancer's logs,
        // and logging every chat request would cost more than the WAF itself.
        loggingFilter: {
          defaultBehavior: 'DROP',
          filters: [
            {
              behavior: 'KEEP',
              requirement: 'MEETS_ANY',
              conditions: [
                { actionCondition: { action: 'BLOCK' } },
                { actionCondition: { action: 'COUNT' } },
              ],
            },
          ],
        },
      },
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

    const behaviors = cacheBehaviors({
      staticCachePolicyId: staticCache.id,
      responseHeadersPolicyId: securityHeaders.id,
    });
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
          {
            originId: ORIGIN_ID,
            domainName: args.originDomainName,
            customOriginConfig: {
              httpPort: 80,
              httpsPort: 443,
              originProtocolPolicy: args.originProtocol === 'https' ? 'https-only' : 'http-only',
              originSslProtocols: ['TLSv1.2'],
              originReadTimeout: ORIGIN_READ_TIMEOUT_SECONDS,
              originKeepaliveTimeout: ORIGIN_KEEPALIVE_SECONDS,
            },
            customHeaders: [
              { name: args.originVerifyHeader.name, value: args.originVerifyHeader.value },
            ],
          },
        ],
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
    this.webAclName = webAcl.name;
    this.usEast1Provider = usEast1;

    this.registerOutputs({
      url: this.url,
      distributionId: this.distributionId,
      webAclArn: this.webAclArn,
    });
  }
}

const ORIGIN_ID = 'load-balancer';

const ALL_METHODS = ['GET', 'HEAD', 'OPTIONS', 'PUT', 'POST', 'PATCH', 'DELETE'];

/**
 * How CloudFront treats each path. Chat and API traffic is never cached and reaches the origin
 * with everything the viewer sent; `/socket.io/*` is spelled out so that a change to the default
 * can never start caching the chat transport. The widget is cached and compressed.
 */
export function cacheBehaviors(policies: {
  staticCachePolicyId: pulumi.Input<string>;
  responseHeadersPolicyId: pulumi.Input<string>;
}): {
  defaultBehavior: aws.types.input.cloudfront.DistributionDefaultCacheBehavior;
  orderedBehaviors: aws.types.input.cloudfront.DistributionOrderedCacheBehavior[];
} {
  const dynamic = {
    targetOriginId: ORIGIN_ID,
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
      { ...dynamic, pathPattern: `${CHAT_PATH}*` },
      {
        pathPattern: STATIC_PATH_PATTERN,
        targetOriginId: ORIGIN_ID,
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

/**
 * The web ACL's rules, in evaluation order. Geo blocking and IP reputation first, so known-bad
 * traffic costs nothing further; then the rate limits; then AWS's managed rule groups.
 */
export function webAclRules(waf: WafSettings): aws.types.input.wafv2.WebAclRule[] {
  const rules: Omit<aws.types.input.wafv2.WebAclRule, 'priority'>[] = [];
  if (waf.blockedCountries.length > 0) {
    rules.push({
      name: 'geo-block',
      action: { block: {} },
      statement: { geoMatchStatement: { countryCodes: waf.blockedCountries } },
      visibilityConfig: visibility('geo-block'),
    });
  }
  rules.push(managedRuleGroup('AWSManagedRulesAmazonIpReputationList'));
  rules.push({
    name: 'rate-limit-per-ip',
    action: { block: {} },
    statement: { rateBasedStatement: { limit: waf.rateLimit, aggregateKeyType: 'IP' } },
    visibilityConfig: visibility('rate-limit-per-ip'),
  });
  rules.push({
    name: 'chat-rate-limit-per-ip',
    action: { block: {} },
    statement: {
      rateBasedStatement: {
        limit: waf.chatRateLimit,
        aggregateKeyType: 'IP',
        scopeDownStatement: {
          byteMatchStatement: {
            searchString: CHAT_PATH,
            positionalConstraint: 'STARTS_WITH',
            fieldToMatch: { uriPath: {} },
            textTransformations: [{ priority: 0, type: 'NONE' }],
          },
        },
      },
    },
    visibilityConfig: visibility('chat-rate-limit-per-ip'),
  });
  // Visitors' questions legitimately contain code such as `<script src=…>` (how to embed the
  // widget) and can exceed 8 KB over long-polling; the backend treats them as text and limits
  // their size itself, so these two body rules only count.
  rules.push(
    managedRuleGroup('AWSManagedRulesCommonRuleSet', [
      'CrossSiteScripting_BODY',
      'SizeRestrictions_BODY',
    ]),
  );
  rules.push(managedRuleGroup('AWSManagedRulesKnownBadInputsRuleSet'));
  return rules.map((rule, priority) => ({ ...rule, priority }));
}

/** Headers whose values never reach the WAF logs, and the query string (Socket.IO session ids). */
export const WAF_REDACTED_FIELDS: aws.types.input.wafv2.WebAclLoggingConfigurationRedactedField[] =
  [
    { singleHeader: { name: 'authorization' } },
    { singleHeader: { name: 'cookie' } },
    { queryString: {} },
  ];

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

function managedRuleGroup(
  name: string,
  countOnly: string[] = [],
): Omit<aws.types.input.wafv2.WebAclRule, 'priority'> {
  return {
    name,
    overrideAction: { none: {} },
    statement: {
      managedRuleGroupStatement: {
        vendorName: 'AWS',
        name,
        ...(countOnly.length > 0 && {
          ruleActionOverrides: countOnly.map((rule) => ({
            name: rule,
            actionToUse: { count: {} },
          })),
        }),
      },
    },
    visibilityConfig: visibility(name),
  };
}

function visibility(metricName: string): aws.types.input.wafv2.WebAclRuleVisibilityConfig {
  return { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName };
}
