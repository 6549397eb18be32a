import {
  MANAGED_POLICY,
  ORIGIN_KEEPALIVE_SECONDS,
  ORIGIN_READ_TIMEOUT_SECONDS,
} from '../../../components/edge';
import { ORIGIN_VERIFY_HEADER, TLS_POLICY } from '../../../components/loadBalancer';
import { allOf, arnOf, input, oneOf, isSecret } from '../recorded';
import { type ProgramRun } from '../../../simulation/runProgram';
import { type StackContext } from './context';

/** CloudFront, its WAF, the origin secret and TLS. */
export function describeEdge(context: StackContext): void {
  const { shape, config } = context;
  let run: ProgramRun;
  beforeAll(() => {
    run = context.run();
  });
  describe('edge', () => {
    it('attaches a CloudFront-scope WAF web ACL created through a us-east-1 provider', () => {
      const provider = oneOf(run, 'pulumi:providers:aws');
      expect(provider.inputs.region).toBe('us-east-1');
      const webAcl = oneOf(run, 'aws:wafv2/webAcl:WebAcl');
      expect(webAcl.inputs.scope).toBe('CLOUDFRONT');
      expect(webAcl.provider).toContain(`pulumi:providers:aws::${provider.name}::`);
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
      expect(groups).toEqual(
        expect.arrayContaining([
          'AWSManagedRulesCommonRuleSet',
          'AWSManagedRulesKnownBadInputsRuleSet',
          'AWSManagedRulesAmazonIpReputationList',
        ]),
      );
      const limits = rules.flatMap((rule) => rule.statement.rateBasedStatement ?? []);
      expect(limits).toEqual([
        expect.objectContaining({ limit: config.edge.rateLimit, aggregateKeyType: 'IP' }),
        expect.objectContaining({
          limit: config.edge.chatRateLimit,
          scopeDownStatement: {
            byteMatchStatement: expect.objectContaining({
              searchString: '/socket.io/',
              positionalConstraint: 'STARTS_WITH',
            }),
          },
        }),
      ]);
      expect(new Set(rules.map((rule) => rule.priority)).size).toBe(rules.length);
    });

    it('logs blocked requests to a retained us-east-1 log group with credentials redacted', () => {
      const logging = oneOf(run, 'aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration');
      const group = oneOf(run, 'aws:cloudwatch/logGroup:LogGroup', `${config.resourcePrefix}-waf`);
      expect(group.inputs.name).toMatch(/^aws-waf-logs-/);
      expect(group.provider).toContain('pulumi:providers:aws::');
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
      const cachePolicy = oneOf(run, 'aws:cloudfront/cachePolicy:CachePolicy');
      const widget = input<Record<string, unknown>[]>(distribution, 'orderedCacheBehaviors').find(
        (behavior) => behavior.pathPattern === '/widget*',
      );
      expect(widget).toMatchObject({
        cachePolicyId: `${cachePolicy.name}-id`,
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
        expect(behavior.responseHeadersPolicyId).toBe(`${policy.name}-id`);
      }
      expect(policy.inputs.securityHeadersConfig).toMatchObject({
        strictTransportSecurity: { override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: 'DENY' },
      });
    });

    it('waits longer for the origin than a Socket.IO long-poll lasts', () => {
      const distribution = oneOf(run, 'aws:cloudfront/distribution:Distribution');
      const [origin] = input<{ customOriginConfig: Record<string, unknown> }[]>(
        distribution,
        'origins',
      );
      expect(origin?.customOriginConfig).toMatchObject({
        originReadTimeout: ORIGIN_READ_TIMEOUT_SECONDS,
        originKeepaliveTimeout: ORIGIN_KEEPALIVE_SECONDS,
      });
      expect(ORIGIN_READ_TIMEOUT_SECONDS).toBeGreaterThan(25);
    });
  });

  describe('origin protection', () => {
    it('forwards only requests with the secret header CloudFront adds; others get 403', () => {
      const listener = oneOf(run, 'aws:lb/listener:Listener');
      expect(listener.inputs.defaultActions).toEqual([
        expect.objectContaining({
          type: 'fixed-response',
          fixedResponse: expect.objectContaining({ statusCode: '403' }),
        }),
      ]);
      const secret = oneOf(
        run,
        'random:index/randomPassword:RandomPassword',
        `${config.resourcePrefix}-origin-verify`,
      );
      const rule = oneOf(run, 'aws:lb/listenerRule:ListenerRule');
      const [condition] = input<{ httpHeader: { httpHeaderName: string; values: unknown[] } }[]>(
        rule,
        'conditions',
      );
      expect(isSecret(rule.inputs.conditions)).toBe(true);
      expect(condition?.httpHeader).toEqual({
        httpHeaderName: ORIGIN_VERIFY_HEADER,
        values: [secret.outputs.result],
      });
      expect(rule.inputs).toMatchObject({
        listenerArn: arnOf(listener),
        actions: [expect.objectContaining({ type: 'forward' })],
      });
      const distribution = oneOf(run, 'aws:cloudfront/distribution:Distribution');
      const [origin] = input<{ customHeaders: unknown[] }[]>(distribution, 'origins');
      expect(isSecret(distribution.inputs.origins)).toBe(true);
      expect(origin?.customHeaders).toEqual([
        { name: ORIGIN_VERIFY_HEADER, value: secret.outputs.result },
      ]);
      expect(secret.inputs).toMatchObject({ length: 40, special: false });
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
        const [origin] = input<
          { domainName: string; customOriginConfig: Record<string, unknown> }[]
        >(distribution, 'origins');
        expect(origin?.domainName).toBe(`origin.${config.domain?.name}`);
        expect(origin?.customOriginConfig.originProtocolPolicy).toBe('https-only');
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
        expect(cloudFrontCertificate?.provider).toContain('pulumi:providers:aws::');
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
        expect(allOf(run, 'aws:acm/certificate:Certificate')).toEqual([]);
      });
    }
  });
}
