import { runProgram, type ProgramRun } from '../../simulation/runProgram';
import { stackConfigOf, type StackContext, type StackShape } from './stack/context';
import { describeData } from './stack/data';
import { describeDatabase } from './stack/database';
import { describeDocs } from './stack/docs';
import { describeDisasterRecovery } from './stack/dr';
import { describeEdge } from './stack/edge';
import { describeHandoff } from './stack/handoff';
import { describeIngest } from './stack/ingest';
import { describeLoadBalancer } from './stack/loadBalancer';
import { describeMonitoring } from './stack/monitoring';
import { describeNetwork } from './stack/network';
import { describeQdrant } from './stack/qdrant';
import { describeResources } from './stack/resources';
import { describeService } from './stack/service';
import { oneOf } from './recorded';

export { stackConfigOf, type StackShape } from './stack/context';

/**
 * The suite every stack file must pass: it runs the program once under mocks with the stack's
 * configuration read from disk and checks the recorded resources, area by area (./stack/).
 */
export function describeStack(stack: string, shape: StackShape): void {
  describe(`Pulumi.${stack}.yaml`, () => {
    const config = stackConfigOf(stack);
    let run: ProgramRun | undefined;

    beforeAll(async () => {
      run = await runProgram(stack);
    });

    const context: StackContext = {
      stack,
      shape,
      config,
      run: () => {
        if (!run) throw new Error('the program has not run yet');
        return run;
      },
      securityGroupId: (name) =>
        oneOf(
          context.run(),
          'aws:ec2/securityGroup:SecurityGroup',
          `${config.resourcePrefix}-${name}`,
        ).id,
    };

    it('has the shape docs/deploy.md gives this stack', () => {
      expect(config.network.availabilityZones).toBe(shape.availabilityZones);
      expect(config.deletionProtection).toBe(shape.deletionProtection);
      expect(Boolean(config.domain)).toBe(shape.customDomain);
      expect(Boolean(config.cache)).toBe(shape.redis);
      expect(config.llm.provider === 'bedrock').toBe(shape.bedrock);
      expect(config.vectorDb.mode === 'self-hosted' && config.vectorDb.nodes).toBe(
        shape.qdrantNodes,
      );
      const capacity = config.service.capacity;
      if (shape.spot === 'all') {
        expect(capacity).toMatchObject({ onDemandBase: 0, onDemandWeight: 0 });
      } else {
        expect(capacity.onDemandBase).toBeGreaterThanOrEqual(1);
        expect(capacity.spotWeight).toBeGreaterThan(0);
      }
    });

    describeNetwork(context);
    describeEdge(context);
    describeLoadBalancer(context);
    describeService(context);
    describeMonitoring(context);
    describeIngest(context);
    describeData(context);
    describeQdrant(context);
    describeDatabase(context);
    describeDisasterRecovery(context);
    describeResources(context);
    describeDocs(context);
    describeHandoff(context);
  });
}
