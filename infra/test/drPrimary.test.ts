import { cacheBehaviors } from '../components/edge';
import {
  FAILOVER_GROUP_ID,
  ORIGIN_ID,
  STANDBY_ORIGIN_ID,
  originRouting,
} from '../components/edgeOrigins';
import { policies as policyPack } from '../policy/rules';
import { primaryFacts } from '../simulation/regionSwitch';
import { runProgram, type ProgramRun } from '../simulation/runProgram';
import { SIMULATED_ACCOUNT_ID } from '../simulation/mocks';
import { targetOf, violationsOf } from './support/policies';
import { allOf, input, oneOf, regionOf } from './support/recorded';

/**
 * The primary's side of the region switch: prod once its standby stack exists, configured with
 * the standby's outputs (as regionSwitch.test.ts shows the standby exports them). The failover
 * origin group reaches the standby's internal load balancer through a second VPC origin; the
 * switch (`drFailover`) and fail back are pure routing, checked below without another run.
 */
const STANDBY_ARN = `arn:aws:elasticloadbalancing:eu-central-1:${SIMULATED_ACCOUNT_ID}:loadbalancer/app/lorechat-prod-dr-alb-4c1d2e3/0f1e2d3c4b5a6978`;
const STANDBY_DOMAIN =
  'internal-lorechat-prod-dr-alb-4c1d2e3-1234567890.eu-central-1.elb.amazonaws.com';

type Behavior = { pathPattern?: string; targetOriginId: string; allowedMethods: string[] };

describe('prod with its standby stack joined (drStandbyLoadBalancerArn, drStandbyOriginDomain)', () => {
  let run: ProgramRun;

  beforeAll(async () => {
    run = await runProgram('prod', {
      'lorechat:drStandbyLoadBalancerArn': STANDBY_ARN,
      'lorechat:drStandbyOriginDomain': STANDBY_DOMAIN,
    });
  });

  const behaviors = (): Behavior[] => {
    const distribution = oneOf(run, 'aws:cloudfront/distribution:Distribution');
    return [
      input<Behavior>(distribution, 'defaultCacheBehavior'),
      ...input<Behavior[]>(distribution, 'orderedCacheBehaviors'),
    ];
  };

  it("reaches the standby's internal load balancer through a second VPC origin, over HTTP inside AWS", () => {
    const standby = oneOf(
      run,
      'aws:cloudfront/vpcOrigin:VpcOrigin',
      'lorechat-prod-standby-origin',
    );
    expect(regionOf(run, standby)).toBe('us-east-1');
    expect(standby.inputs.vpcOriginEndpointConfig).toMatchObject({
      arn: STANDBY_ARN,
      originProtocolPolicy: 'http-only',
      originSslProtocols: { items: ['TLSv1.2'], quantity: 1 },
    });
    const origins = input<{ originId: string; domainName: string; vpcOriginConfig: object }[]>(
      oneOf(run, 'aws:cloudfront/distribution:Distribution'),
      'origins',
    );
    expect(origins).toEqual([
      expect.objectContaining({
        originId: ORIGIN_ID,
        domainName: 'origin.chat.lorechat.test',
        connectionAttempts: 2,
        connectionTimeout: 5,
      }),
      expect.objectContaining({
        originId: STANDBY_ORIGIN_ID,
        domainName: STANDBY_DOMAIN,
        vpcOriginConfig: expect.objectContaining({ vpcOriginId: standby.id }),
      }),
    ]);
  });

  it('fails the widget and the chat transport over to the standby on 5xx, primary first', () => {
    expect(
      input<unknown[]>(oneOf(run, 'aws:cloudfront/distribution:Distribution'), 'originGroups'),
    ).toEqual([
      {
        originId: FAILOVER_GROUP_ID,
        failoverCriteria: { statusCodes: [500, 502, 503, 504] },
        members: [{ originId: ORIGIN_ID }, { originId: STANDBY_ORIGIN_ID }],
      },
    ]);
    const byPath = new Map(behaviors().map((b) => [b.pathPattern ?? 'default', b]));
    for (const path of ['/widget*', '/socket.io/*']) {
      expect(byPath.get(path)?.targetOriginId).toBe(FAILOVER_GROUP_ID);
      // CloudFront refuses an origin group on a behavior that allows POST.
      expect(byPath.get(path)?.allowedMethods).not.toContain('POST');
    }
    // The token, sign-in and admin API take POST: they stay on the primary until the switch.
    for (const path of ['default', '/admin', '/admin/*', '/v1/admin/*']) {
      expect([path, byPath.get(path)?.targetOriginId]).toEqual([path, ORIGIN_ID]);
      expect(byPath.get(path)?.allowedMethods).toContain('POST');
    }
  });

  it('keeps every resource of the edge at its URN from before the split and the standby', () => {
    const edge = run.resources
      .filter((resource) => resource.urn?.includes('::lorechat:edge:Edge$'))
      .map((resource) => resource.urn?.split('::lorechat:edge:Edge$')[1]);
    expect(edge).toEqual(
      expect.arrayContaining([
        'aws:wafv2/webAcl:WebAcl::lorechat-prod-waf',
        'aws:cloudwatch/logGroup:LogGroup::lorechat-prod-waf',
        'aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration::lorechat-prod-waf',
        'aws:cloudfront/cachePolicy:CachePolicy::lorechat-prod-static',
        'aws:cloudfront/cachePolicy:CachePolicy::lorechat-prod-admin',
        'aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy::lorechat-prod-security-headers',
        'aws:cloudfront/vpcOrigin:VpcOrigin::lorechat-prod-origin',
        'aws:cloudfront/distribution:Distribution::lorechat-prod-cdn',
        'aws:route53/record:Record::lorechat-prod-a',
        'aws:route53/record:Record::lorechat-prod-aaaa',
      ]),
    );
    // The standby adds one VPC origin and changes nothing else's identity.
    expect(edge).toContain('aws:cloudfront/vpcOrigin:VpcOrigin::lorechat-prod-standby-origin');
    expect(allOf(run, 'aws:cloudfront/distribution:Distribution')).toHaveLength(1);
  });

  it('reads as `npm run infra:region-switch` reports it', () => {
    expect(primaryFacts(run)).toMatchObject({
      secretReplicaRegions: ['eu-central-1'],
      snapshotCopyRegions: ['eu-central-1'],
      standbyOriginArn: STANDBY_ARN,
      failoverGroup: [ORIGIN_ID, STANDBY_ORIGIN_ID],
      paths: {
        default: ORIGIN_ID,
        '/widget*': FAILOVER_GROUP_ID,
        '/socket.io/*': FAILOVER_GROUP_ID,
      },
    });
  });

  it('passes every rule of the policy pack', async () => {
    expect(await violationsOf(policyPack, run.resources.map(targetOf))).toEqual([]);
  });
});

describe('the switch (drFailover) and the fail back', () => {
  const standby = { loadBalancerArn: STANDBY_ARN, originDomainName: STANDBY_DOMAIN };
  const policies = {
    staticCachePolicyId: 'static',
    adminCachePolicyId: 'admin',
    responseHeadersPolicyId: 'headers',
  };
  const targets = (failover: boolean) => {
    const routing = originRouting({ ...standby, failover });
    const { defaultBehavior, orderedBehaviors } = cacheBehaviors(policies, routing);
    return {
      groupOrder: routing.originGroups[0]?.members,
      paths: Object.fromEntries(
        [defaultBehavior, ...orderedBehaviors].map((behavior) => [
          'pathPattern' in behavior ? behavior.pathPattern : 'default',
          behavior.targetOriginId,
        ]),
      ) as Record<string, unknown>,
    };
  };

  it('sends the POST paths to the standby and tries it first on the others when switched', () => {
    expect(targets(true)).toEqual({
      groupOrder: [{ originId: STANDBY_ORIGIN_ID }, { originId: ORIGIN_ID }],
      paths: {
        default: STANDBY_ORIGIN_ID,
        '/socket.io/*': FAILOVER_GROUP_ID,
        '/admin': STANDBY_ORIGIN_ID,
        '/admin/*': STANDBY_ORIGIN_ID,
        '/v1/admin/*': STANDBY_ORIGIN_ID,
        '/widget*': FAILOVER_GROUP_ID,
      },
    });
  });

  it('fails back to the primary by turning the switch off, the group still covering reads', () => {
    expect(targets(false).paths.default).toBe(ORIGIN_ID);
    expect(targets(false).groupOrder).toEqual([
      { originId: ORIGIN_ID },
      { originId: STANDBY_ORIGIN_ID },
    ]);
  });

  it('routes everything to the one load balancer, as before DR, without a standby', () => {
    expect(originRouting(undefined)).toMatchObject({ originGroups: [], readOriginId: ORIGIN_ID });
    const { defaultBehavior, orderedBehaviors } = cacheBehaviors(policies);
    for (const behavior of [defaultBehavior, ...orderedBehaviors]) {
      expect(behavior.targetOriginId).toBe(ORIGIN_ID);
    }
  });
});
