import { policies as policyPack } from '../policy/rules';
import { standbyFacts } from '../simulation/regionSwitch';
import { type RecordedResource } from '../simulation/mocks';
import { runProgram, type ProgramRun } from '../simulation/runProgram';
import { engineConfig } from '../simulation/stackFiles';
import { targetOf, violationsOf } from './support/policies';
import { allOf, container, oneOf, regionOf, rolePolicy } from './support/recorded';
import { SIMULATED_ACCOUNT_ID } from '../simulation/mocks';

/**
 * The region switch, as far as it can run here: the prod environment's standby stack
 * (Pulumi.prod-dr.yaml) brought up under Pulumi's mocks in prod's standby region, as the runbook's
 * first failover step does (docs/operations.md, "Disaster recovery"). What AWS does with it (the
 * snapshot copies arriving, the VPC origin connecting across regions) needs an AWS account; this
 * shows what the program declares. The primary's side, its origin group pointing at the standby,
 * is drPrimary.test.ts (the program runs once per test file). Each step's time is printed at the end.
 */
describe('the prod standby stack (prod-dr) in the standby region', () => {
  const timings: [string, number][] = [];
  const timed = async <T>(step: string, work: () => Promise<T> | T): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } finally {
      timings.push([step, Math.round(performance.now() - started)]);
    }
  };
  const standbyRegion = engineConfig('prod').values['lorechat:drRegion'];
  // The primary's adminTokenSecretArn output, as the runbook sets it on the standby.
  const primarySecretArn = `arn:aws:secretsmanager:eu-west-1:${SIMULATED_ACCOUNT_ID}:secret:lorechat-prod-visitor-tokens-1a2b3c4-Ab12Cd`;
  let run: ProgramRun;

  beforeAll(async () => {
    run = await timed('standby stack up (program under mocks)', () =>
      runProgram('prod-dr', { 'lorechat:drPrimarySecretArn': primarySecretArn }),
    );
  });

  afterAll(() => {
    process.stdout.write(
      `region switch, standby side: ${timings.map(([step, ms]) => `${step} ${ms} ms`).join('; ')}\n`,
    );
  });

  it("runs in prod's standby region, with prod's tags, from the image's replica there", async () => {
    await timed('standby in its region', () => {
      expect(standbyRegion).toBe('eu-central-1');
      const regions = new Set(
        run.resources
          .filter((resource) => resource.custom && resource.type.startsWith('aws:'))
          .map((resource) => regionOf(run, resource)),
      );
      expect([...regions].sort()).toEqual([standbyRegion, 'us-east-1'].sort());
      for (const provider of allOf(run, 'pulumi:providers:aws')) {
        expect(JSON.parse(String(provider.inputs.defaultTags))).toEqual({
          tags: { Project: 'lorechat', Environment: 'prod', ManagedBy: 'pulumi' },
        });
      }
      expect(container(run).image).toMatch(
        new RegExp(`\\.dkr\\.ecr\\.${standbyRegion}\\.amazonaws\\.com/lorechat@sha256:`),
      );
    });
  });

  it('runs its own Qdrant on a protected, encrypted volume, and its service warm at one task', async () => {
    await timed('standby Qdrant and service', () => {
      const volumes = allOf(run, 'aws:ebs/volume:Volume');
      expect(volumes.length).toBeGreaterThan(0);
      for (const volume of volumes) {
        expect(volume.inputs).toMatchObject({ encrypted: true });
        expect(String(volume.inputs.availabilityZone)).toMatch(new RegExp(`^${standbyRegion}`));
        expect(volume.protect).toBe(true);
      }
      expect(oneOf(run, 'aws:ecs/service:Service').inputs.desiredCount).toBe(1);
      expect(oneOf(run, 'aws:appautoscaling/target:Target').inputs).toMatchObject({
        minCapacity: 1,
        maxCapacity: 10,
      });
      // Not a primary: it copies nothing further and has no standby of its own.
      for (const secret of allOf(run, 'aws:secretsmanager/secret:Secret')) {
        expect(secret.inputs.replicas).toBeUndefined();
      }
    });
  });

  it("signs and checks visitor tokens with the primary's key, read from its replica in this region", async () => {
    await timed('shared keys from the replica', () => {
      const replica = primarySecretArn.replace(':eu-west-1:', `:${standbyRegion}:`);
      const secrets = Object.fromEntries(
        container(run).secrets.map((secret) => [secret.name, secret.valueFrom]),
      );
      expect(secrets).toMatchObject({
        VISITOR_TOKEN_SECRET: `${replica}:VISITOR_TOKEN_SECRET::`,
        ADMIN_TOKEN: `${replica}:ADMIN_TOKEN::`,
      });
      // Its own database URL stays in its own secret; no key of its own is generated.
      expect(secrets.DATABASE_URL).toMatch(/:DATABASE_URL::/);
      expect(
        allOf(run, 'random:index/randomPassword:RandomPassword').map((password) => password.name),
      ).not.toEqual(
        expect.arrayContaining([expect.stringMatching(/visitor-token-secret|admin-token/)]),
      );
      const read = rolePolicy(run, 'lorechat-prod-dr-execution').Statement.find(
        (statement) => statement.Action === 'secretsmanager:GetSecretValue',
      );
      expect([read?.Resource].flat()).toContain(replica);
      expect(run.outputs.adminTokenSecretArn).toBe(replica);
    });
  });

  it('exports what the primary joins it by: its load balancer in the standby region and its origin name', async () => {
    await timed('standby outputs for the primary', () => {
      const loadBalancer = oneOf(run, 'aws:lb/loadBalancer:LoadBalancer');
      expect(loadBalancer.inputs.internal).toBe(true);
      expect(run.outputs.loadBalancerArn).toBe(loadBalancer.outputs.arn);
      expect(run.outputs.loadBalancerArn).toMatch(
        new RegExp(`^arn:aws:elasticloadbalancing:${standbyRegion}:\\d{12}:loadbalancer/app/`),
      );
      // No custom domain here: CloudFront reaches it over HTTP by its own name, inside AWS.
      expect(run.outputs.originDomainName).toBe(loadBalancer.outputs.dnsName);
      expect(run.outputs.originDomainName).toMatch(/\.elb\.amazonaws\.com$/);
      // Its own distribution, on CloudFront's name, is how the runbook verifies it before a switch.
      expect(allOf(run, 'aws:route53/record:Record')).toEqual([]);
      expect(String(run.outputs.siteUrl)).toMatch(/^https:\/\/[a-z0-9]+\.cloudfront\.net$/);
    });
  });

  it('reads as `npm run infra:region-switch` reports it', () => {
    const replica = primarySecretArn.replace(':eu-west-1:', `:${standbyRegion}:`);
    expect(standbyFacts(run)).toEqual({
      region: standbyRegion,
      environmentTags: ['prod'],
      image: container(run).image,
      qdrantVolumes: allOf(run, 'aws:ebs/volume:Volume').length,
      warmTasks: 1,
      signingKeyFrom: replica,
      loadBalancerArn: run.outputs.loadBalancerArn,
      originDomainName: run.outputs.originDomainName,
    });
  });

  it("passes the policy pack, and is held to prod's rules although its name is not prod", async () => {
    await timed('policy pack', async () => {
      const targets = run.resources.map(targetOf);
      expect(await violationsOf(policyPack, targets)).toEqual([]);
      const unprotected = (resource: RecordedResource) =>
        resource.type === 'aws:ebs/volume:Volume'
          ? { ...targetOf(resource), protect: false }
          : resource.type === 'aws:lb/loadBalancer:LoadBalancer'
            ? {
                ...targetOf(resource),
                props: { ...resource.inputs, enableDeletionProtection: false },
              }
            : targetOf(resource);
      const violations = await violationsOf(policyPack, run.resources.map(unprotected));
      expect(violations.map((violation) => [violation.policy, violation.message]).sort()).toEqual(
        [
          ...allOf(run, 'aws:ebs/volume:Volume').map(() => [
            'deletion-protection',
            'Protect the volume (resource option protect).',
          ]),
          ['deletion-protection', 'Set enableDeletionProtection.'],
        ].sort(),
      );
    });
  });
});
