import { PROJECT } from '../../../config';
import { type RecordedResource } from '../../../simulation/mocks';
import { policies as policyPack } from '../../../policy/rules';
import { targetOf, violationsOf } from '../policies';
import { allOf, declaresTags, oneOf, parentType } from '../recorded';
import { type ProgramRun } from '../../../simulation/runProgram';
import { type StackContext } from './context';

/** What holds for every resource, and the stack outputs. */
export function describeResources(context: StackContext): void {
  const { shape, config } = context;
  let run: ProgramRun;
  beforeAll(() => {
    run = context.run();
  });
  describe('every resource', () => {
    it('belongs to a LoreChat component', () => {
      for (const resource of run.resources) {
        if (resource.type === 'pulumi:pulumi:Stack') continue;
        const parent = parentType(resource);
        const owned = resource.type.startsWith('lorechat:')
          ? parent === 'pulumi:pulumi:Stack' || parent?.startsWith('lorechat:')
          : parent?.startsWith('lorechat:');
        if (!owned) throw new Error(`${resource.type} ${resource.name} has parent ${parent}`);
      }
    });

    it('carries the Project, Environment and ManagedBy tags, from its provider, when its type takes tags', () => {
      const tags = { Project: PROJECT, Environment: config.environment, ManagedBy: 'pulumi' };
      const taggable = run.resources.filter(
        (resource) => resource.custom && declaresTags(resource.type),
      );
      expect(taggable.length).toBeGreaterThan(20);
      for (const resource of taggable) {
        expect([resource.type, resource.name, resource.inputs.tagsAll]).toEqual([
          resource.type,
          resource.name,
          expect.objectContaining(tags),
        ]);
      }
      // Both providers carry them, with the account guard: nothing reaches AWS without them.
      for (const provider of allOf(run, 'pulumi:providers:aws')) {
        expect(JSON.parse(String(provider.inputs.defaultTags))).toEqual({ tags });
        expect(JSON.parse(String(provider.inputs.allowedAccountIds))).toEqual(
          config.allowedAccountIds,
        );
      }
      expect(
        allOf(run, 'pulumi:providers:aws')
          .map((provider) => provider.inputs.region)
          .sort(),
      ).toEqual([config.region, 'us-east-1'].sort());
    });

    it('passes every rule of the policy pack (infra/policy), which sees these resources', async () => {
      const targets = run.resources.map(targetOf);
      expect(await violationsOf(policyPack, targets)).toEqual([]);
      // The same resources with the load balancer opened to the world do fail: the rules
      // really read this program's recorded resources.
      const opened = targets.map((target) =>
        target.type === 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule'
          ? {
              ...target,
              outputs: { ...target.outputs, prefixListId: undefined, cidrIpv4: '0.0.0.0/0' },
            }
          : target,
      );
      expect(await violationsOf(policyPack, opened)).toEqual([
        expect.objectContaining({
          policy: 'alb-ingress-cloudfront-only',
          resource: `${config.resourcePrefix}-alb-from-cloudfront`,
        }),
      ]);
    });

    it('encrypts the volumes and caches at rest (buckets: the policy pack)', () => {
      const encryptedStores: RecordedResource[] = [
        ...allOf(run, 'aws:ebs/volume:Volume'),
        ...allOf(run, 'aws:elasticache/replicationGroup:ReplicationGroup'),
      ];
      for (const store of encryptedStores) {
        expect(store.inputs.encrypted ?? store.inputs.atRestEncryptionEnabled).toBe(true);
      }
    });
  });

  it('exports the site URL, widget snippet, load balancer name and ingest command', () => {
    const distribution = oneOf(run, 'aws:cloudfront/distribution:Distribution');
    const siteUrl = shape.customDomain
      ? `https://${config.domain?.name}`
      : `https://${String(distribution.outputs.domainName)}`;
    expect(run.outputs).toMatchObject({
      siteUrl,
      widgetSnippet: `<script src="${siteUrl}/widget.js" data-site-key="${config.siteKey}" async></script>`,
      // AWS's name for it, which the console and CLI show: the logical name and a suffix.
      loadBalancerName: oneOf(run, 'aws:lb/loadBalancer:LoadBalancer').outputs.name,
      distributionId: distribution.id,
    });
    expect(run.outputs.loadBalancerName).toMatch(
      new RegExp(`^${config.resourcePrefix}-alb-[0-9a-f]{7}$`),
    );
    expect(run.outputs.ingestCommand).toEqual(expect.stringContaining('aws ecs run-task'));
    expect(run.outputs.ingestCommand).toEqual(expect.stringContaining('"ingest","--site"'));
  });
}
