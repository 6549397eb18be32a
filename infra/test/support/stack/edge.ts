import {
  MANAGED_POLICY,
  ORIGIN_KEEPALIVE_SECONDS,
  ORIGIN_READ_TIMEOUT_SECONDS,
} from '../../../components/edge';
import { TLS_POLICY } from '../../../components/loadBalancer';
import { allOf, arnOf, input, oneOf, regionOf } from '../recorded';
import { type ProgramRun } from '../../../simulation/runProgram';
import { type StackContext } from './context';

/** CloudFront, its WAF, the private origin and TLS. */
export function describeEdge(context: StackContext): void {
  const { shape, config } = context;
  let run: ProgramRun;
  beforeAll(() => {
    run = context.run();
  });
  describe('edge', () => {
    it('attaches a CloudFront-scope WAF web ACL created through the us-east-1 provider', () => {
      const webAcl = oneOf(run, 'aws:wafv2/webAcl:WebAcl');
      expect(webAcl.inputs.scope).toBe('CLOUDFRONT');
      expect(regionOf(run, webAcl)).toBe('us-east-1');
      const distribution = oneOf(run, 'aws:cloudfront/distribution:Distribution');
      expect(distribution.inputs.webAclId).toBe(arnOf(webAcl));
    });

    it('applies the managed rule groups and the per-IP rate limits of the stack', () => {
      const webAcl = oneOf(run, 'aws:wafv2/webAcl:WebAcl');
      const rules = input<
        {
          name: string;
          priority: number;
          statement: {
            managedRuleGroupStatement?: { name: string };
            rateBasedStatement?: { limit: number; scopeDownStatement?: unknown };
          };
        }[]
      >(webAcl, 'rules');
      const groups = rules.flatMap((rule) => rule.statement.managedRuleGroupStatement?.name ?? []);
      expect(groups.sort()).toEqual(
        config.edge.managedRules
          ? [
              'AWSManagedRulesAmazonIpReputationList',
              'AWSManagedRulesCommonRuleSet',
              'AWSManagedRulesKnownBadInputsRuleSet',
            ]
          : [],
      );
      const limits = rules.flatMap((rule) => rule.statement.rateBasedStatement ?? []);
      const chatLimit = expect.objectContaining({
        limit: config.edge.chatRateLimit,
        scopeDownStatement: {
          byteMatchStatement: expect.objectContaining({
            searchString: '/socket.io/',
            positionalConstraint: 'STARTS_WITH',
          }),
        },
      });
      expect(limits).toEqual([
        expect.objectContaining({ limit: config.edge.rateLimit, aggregateKeyType: 'IP' }),
        ...(config.edge.chatRateLimit > 0 ? [chatLimit] : []),
        expect.objectContaining({
          limit: config.edge.signInRateLimit,
          aggregateKeyType: 'IP',
          scopeDownStatement: { andStatement: expect.anything() },
        }),
      ]);
      expect(new Set(rules.map((rule) => rule.priority)).size).toBe(rules.length);
    });

    it('logs blocked requests to a retained us-east-1 log group with credentials redacted', () => {
      const logging = oneOf(run, 'aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration');
      const group = oneOf(run, 'aws:cloudwatch/logGroup:LogGroup', `${config.resourcePrefix}-waf`);
      expect(group.inputs.name).toMatch(/^aws-waf-logs-/);
      expect(regionOf(run, group)).toBe('us-east-1');
      expect(logging.inputs.logDestinationConfigs).toEqual([arnOf(group)]);
      expect(logging.inputs.redactedFields).toEqual(
        expect.arrayContaining([
          { singleHeader: { name: 'authorization' } },
          { singleHeader: { name: 'cookie' } },
        ]),
      );
    });

    it('passes Socket.IO and the API through uncached with the whole viewer request', () => {
      const distribution = oneOf(run, 'aws:cloudfront/distribution:Distribution');
      const chat = input<Record<string, unknown>[]>(distribution, 'orderedCacheBehaviors').find(
        (behavior) => behavior.pathPattern === '/socket.io/*',
      );
      for (const behavior of [
        chat,
        input<Record<string, unknown>>(distribution, 'defaultCacheBehavior'),
      ]) {
        expect(behavior).toMatchObject({
          cachePolicyId: MANAGED_POLICY.cachingDisabled,
          originRequestPolicyId: MANAGED_POLICY.allViewerExceptHostHeader,
          viewerProtocolPolicy: 'redirect-to-https',
          allowedMethods: expect.arrayContaining(['GET', 'POST', 'OPTIONS']),
        });
      }
    });

    it('caches and compresses the widget', () => {
      const distribution = oneOf(run, 'aws:cloudfront/distribution:Distribution');
      const cachePolicy = oneOf(
        run,
        'aws:cloudfront/cachePolicy:CachePolicy',
        `${config.resourcePrefix}-static`,
      );
      const widget = input<Record<string, unknown>[]>(distribution, 'orderedCacheBehaviors').find(
        (behavior) => behavior.pathPattern === '/widget*',
      );
      expect(widget).toMatchObject({
        cachePolicyId: cachePolicy.id,
        compress: true,
        viewerProtocolPolicy: 'redirect-to-https',
      });
      expect(cachePolicy.inputs.parametersInCacheKeyAndForwardedToOrigin).toMatchObject({
        enableAcceptEncodingGzip: true,
        enableAcceptEncodingBrotli: true,
      });
    });

    it('adds security headers to every response', () => {
      const distribution = oneOf(run, 'aws:cloudfront/distribution:Distribution');
      const policy = oneOf(run, 'aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy');
      const behaviors = [
        input<Record<string, unknown>>(distribution, 'defaultCacheBehavior'),
        ...input<Record<string, unknown>[]>(distribution, 'orderedCacheBehaviors'),
      ];
      for (const behavior of behaviors) {
        expect(behavior.responseHeadersPolicyId).toBe(policy.id);
      }
      expect(policy.inputs.securityHeadersConfig).toMatchObject({
        strictTransportSecurity: { override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: 'DENY' },
      });
    });

    it('waits longer for the origin than a Socket.IO ping interval', () => {
      const distribution = oneOf(run, 'aws:cloudfront/distribution:Distribution');
      const [origin] = input<{ vpcOriginConfig: Record<string, unknown> }[]>(
        distribution,
        'origins',
      );
      expect(origin?.vpcOriginConfig).toMatchObject({
        originReadTimeout: ORIGIN_READ_TIMEOUT_SECONDS,
        originKeepaliveTimeout: ORIGIN_KEEPALIVE_SECONDS,
      });
      expect(ORIGIN_READ_TIMEOUT_SECONDS).toBeGreaterThan(25);
    });
  });

  describe('private origin', () => {
    it('reaches the internal load balancer through a CloudFront VPC origin, with no shared secret', () => {
      const loadBalancer = oneOf(run, 'aws:lb/loadBalancer:LoadBalancer');
      expect(loadBalancer.inputs.internal).toBe(true);
      const vpcOrigin = oneOf(run, 'aws:cloudfront/vpcOrigin:VpcOrigin');
      expect(regionOf(run, vpcOrigin)).toBe('us-east-1');
      expect(vpcOrigin.inputs.vpcOriginEndpointConfig).toMatchObject({
        arn: arnOf(loadBalancer),
        originSslProtocols: { items: ['TLSv1.2'], quantity: 1 },
      });
      const distribution = oneOf(run, 'aws:cloudfront/distribution:Distribution');
      const origins = input<Record<string, unknown>[]>(distribution, 'origins');
      expect(origins).toEqual([
        expect.objectContaining({
          vpcOriginConfig: expect.objectContaining({ vpcOriginId: vpcOrigin.id }),
        }),
      ]);
      expect(origins[0]?.customOriginConfig).toBeUndefined();
      expect(origins[0]?.customHeaders).toBeUndefined();
      expect(
        allOf(run, 'random:index/randomPassword:RandomPassword').map((password) => password.name),
      ).not.toContain(`${config.resourcePrefix}-origin-verify`);
      expect(allOf(run, 'aws:lb/listenerRule:ListenerRule')).toEqual([]);
      expect(oneOf(run, 'aws:lb/listener:Listener').inputs.defaultActions).toEqual([
        {
          type: 'forward',
          targetGroupArn: arnOf(oneOf(run, 'aws:lb/targetGroup:TargetGroup')),
        },
      ]);
    });
  });

  describe('TLS', () => {
    if (shape.customDomain) {
      it('serves the custom domain with TLSv1.2_2021 and an HTTPS origin with a TLS 1.3 policy', () => {
        const distribution = oneOf(run, 'aws:cloudfront/distribution:Distribution');
        expect(distribution.inputs.aliases).toEqual([config.domain?.name]);
        expect(distribution.inputs.viewerCertificate).toMatchObject({
          sslSupportMethod: 'sni-only',
          minimumProtocolVersion: 'TLSv1.2_2021',
        });
        const [origin] = input<{ domainName: string }[]>(distribution, 'origins');
        expect(origin?.domainName).toBe(`origin.${config.domain?.name}`);
        expect(
          oneOf(run, 'aws:cloudfront/vpcOrigin:VpcOrigin').inputs.vpcOriginEndpointConfig,
        ).toMatchObject({ originProtocolPolicy: 'https-only' });
        expect(oneOf(run, 'aws:lb/listener:Listener').inputs).toMatchObject({
          protocol: 'HTTPS',
          port: 443,
          sslPolicy: TLS_POLICY,
        });
        const certificates = allOf(run, 'aws:acm/certificate:Certificate');
        expect(certificates.map((certificate) => certificate.inputs.domainName).sort()).toEqual(
          [config.domain?.name, `origin.${config.domain?.name}`].sort(),
        );
        const cloudFrontCertificate = certificates.find(
          (certificate) => certificate.inputs.domainName === config.domain?.name,
        );
        if (!cloudFrontCertificate) throw new Error('no certificate for CloudFront');
        expect(regionOf(run, cloudFrontCertificate)).toBe('us-east-1');
      });
    } else {
      it("serves CloudFront's own domain and reaches the load balancer by its name", () => {
        const distribution = oneOf(run, 'aws:cloudfront/distribution:Distribution');
        expect(distribution.inputs.viewerCertificate).toMatchObject({
          cloudfrontDefaultCertificate: true,
        });
        expect(oneOf(run, 'aws:lb/listener:Listener').inputs).toMatchObject({
          protocol: 'HTTP',
          port: 80,
        });
        expect(
          oneOf(run, 'aws:cloudfront/vpcOrigin:VpcOrigin').inputs.vpcOriginEndpointConfig,
        ).toMatchObject({ originProtocolPolicy: 'http-only' });
        expect(allOf(run, 'aws:acm/certificate:Certificate')).toEqual([]);
      });
    }
  });
}
