import { StackConfigError, parseStackConfig, type ConfigKey, type RawStackConfig } from '../config';

/**
 * The environment a stack belongs to, and the disaster-recovery settings, as the program reads
 * them before any resource exists: a stack whose name is not an environment's must say which it
 * is, and the standby settings must fit together.
 */
const IMAGE = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/lorechat@sha256:${'a'.repeat(64)}`;
const STANDBY_ARN =
  'arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/app/lorechat-prod-dr-alb-1a2b3c4/0123456789abcdef';
const STANDBY_DOMAIN =
  'internal-lorechat-prod-dr-alb-1a2b3c4-123456789.eu-central-1.elb.amazonaws.com';

function raw(stack: string, values: Partial<Record<ConfigKey, string>> = {}): RawStackConfig {
  return {
    stack,
    aws: { region: 'eu-west-1', allowedAccountIds: '["123456789012"]' },
    values: { imageUri: IMAGE, ...values },
    secretsSet: new Set(),
  };
}

function problemsOf(config: RawStackConfig): string[] {
  try {
    parseStackConfig(config);
  } catch (error) {
    if (error instanceof StackConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('lorechat:environment', () => {
  it('is the stack name for dev, staging and prod, which need no key', () => {
    for (const stack of ['dev', 'staging', 'prod']) {
      expect(parseStackConfig(raw(stack)).environment).toBe(stack);
    }
  });

  it('makes a stack of any name part of the environment it names', () => {
    expect(parseStackConfig(raw('prod-dr', { environment: 'prod' })).environment).toBe('prod');
    expect(parseStackConfig(raw('eu-prod', { environment: 'prod' })).environment).toBe('prod');
    // The key wins over a name that happens to be an environment's.
    expect(parseStackConfig(raw('staging', { environment: 'prod' })).environment).toBe('prod');
  });

  it('is required, with the command to set it, when the stack name is no environment', () => {
    expect(problemsOf(raw('eu-prod'))).toEqual([
      expect.stringMatching(
        /^lorechat:environment is required for the stack "eu-prod".*`pulumi config set lorechat:environment <dev\|staging\|prod>`$/,
      ),
    ]);
  });

  it('refuses an unknown environment once, saying which are allowed', () => {
    expect(problemsOf(raw('eu-prod', { environment: 'production' }))).toEqual([
      'lorechat:environment must be one of: dev, staging, prod (got "production")',
    ]);
  });
});

describe('disaster-recovery settings', () => {
  it('reads a standby region alone, before the standby stack exists', () => {
    expect(parseStackConfig(raw('prod', { drRegion: 'eu-central-1' })).dr).toEqual({
      region: 'eu-central-1',
      snapshotCopyDays: 7,
      standby: undefined,
    });
    expect(parseStackConfig(raw('prod')).dr).toBeUndefined();
  });

  it('reads the standby origin and the failover switch', () => {
    const config = parseStackConfig(
      raw('prod', {
        drRegion: 'eu-central-1',
        drSnapshotCopyDays: '14',
        drStandbyLoadBalancerArn: STANDBY_ARN,
        drStandbyOriginDomain: STANDBY_DOMAIN,
        drFailover: 'true',
      }),
    );
    expect(config.dr).toEqual({
      region: 'eu-central-1',
      snapshotCopyDays: 14,
      standby: { loadBalancerArn: STANDBY_ARN, originDomainName: STANDBY_DOMAIN, failover: true },
    });
  });

  it('refuses a standby in the stack’s own region, half a standby origin, or one in another region', () => {
    expect(problemsOf(raw('prod', { drRegion: 'eu-west-1' }))).toEqual([
      expect.stringContaining("lorechat:drRegion must be another region than the stack's own"),
    ]);
    expect(problemsOf(raw('prod', { drStandbyLoadBalancerArn: STANDBY_ARN }))).toEqual([
      expect.stringContaining('lorechat:drStandbyOriginDomain is required'),
      expect.stringContaining('lorechat:drRegion is required with a standby origin'),
    ]);
    expect(
      problemsOf(
        raw('prod', {
          drRegion: 'eu-north-1',
          drStandbyLoadBalancerArn: STANDBY_ARN,
          drStandbyOriginDomain: STANDBY_DOMAIN,
        }),
      ),
    ).toEqual([
      'lorechat:drStandbyLoadBalancerArn is in eu-central-1, not lorechat:drRegion eu-north-1',
    ]);
  });

  it("takes the primary's server secret on a standby, never one from the stack's own region", () => {
    const primary =
      'arn:aws:secretsmanager:eu-central-1:123456789012:secret:lorechat-prod-visitor-tokens-1a2b3c4-Ab12Cd';
    expect(
      parseStackConfig(raw('prod-dr', { environment: 'prod', drPrimarySecretArn: primary }))
        .drPrimarySecretArn,
    ).toBe(primary);
    expect(
      problemsOf(
        raw('prod-dr', {
          environment: 'prod',
          drPrimarySecretArn: primary.replace('eu-central-1', 'eu-west-1'),
        }),
      ),
    ).toEqual([
      expect.stringContaining(
        "lorechat:drPrimarySecretArn is in this stack's own region eu-west-1",
      ),
    ]);
  });

  it('refuses to fail over with no standby, and a load balancer ARN that is not one', () => {
    expect(problemsOf(raw('prod', { drRegion: 'eu-central-1', drFailover: 'true' }))).toEqual([
      expect.stringContaining('lorechat:drFailover needs a standby to fail over to'),
    ]);
    expect(
      problemsOf(
        raw('prod', {
          drRegion: 'eu-central-1',
          drStandbyLoadBalancerArn: 'lorechat-prod-dr-alb',
          drStandbyOriginDomain: STANDBY_DOMAIN,
        }),
      ),
    ).toEqual([expect.stringMatching(/^lorechat:drStandbyLoadBalancerArn must be the ARN/)]);
  });
});
