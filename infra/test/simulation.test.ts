import { RecordingMocks, type RecordedResource } from '../simulation/mocks';
import { alarmMetrics, publishedDimensions, unpublishedDimensions } from '../simulation/published';
import { ecsServiceReplacement } from '../simulation/replacement';

/**
 * The simulation itself: it must behave like Pulumi and AWS where the program depends on them, or
 * the stack suites would pass on programs that fail in a real account.
 */
describe('the simulated engine and provider', () => {
  const mocks = () => {
    const recording = new RecordingMocks('eu-west-1');
    recording.newResource({
      type: 'pulumi:providers:aws',
      name: 'lorechat-dev-eu-west-1',
      inputs: {
        region: 'eu-west-1',
        defaultTags: JSON.stringify({ tags: { Project: 'lorechat', Environment: 'dev' } }),
      },
      custom: true,
      id: undefined,
    });
    const [registered] = recording.resources;
    return { recording, provider: `urn::${registered?.id ?? ''}` };
  };
  const create = (
    recording: RecordingMocks,
    reference: string,
    type: string,
    name: string,
    inputs: Record<string, unknown> = {},
  ): RecordedResource => {
    recording.newResource({ type, name, inputs, provider: reference, custom: true, id: undefined });
    return recording.resources.at(-1) as RecordedResource;
  };

  it('auto-names a resource the program leaves unnamed, with a random suffix, as Pulumi does', () => {
    const { recording, provider: reference } = mocks();
    const first = create(
      recording,
      reference,
      'aws:lb/loadBalancer:LoadBalancer',
      'lorechat-dev-alb',
    );
    const second = create(
      recording,
      reference,
      'aws:lb/loadBalancer:LoadBalancer',
      'lorechat-dev-alb',
    );
    expect(first.outputs.name).toMatch(/^lorechat-dev-alb-[0-9a-f]{7}$/);
    expect(first.outputs.name).not.toBe(second.outputs.name);
    // AWS derives the metric dimension and the ARN from the generated name.
    expect(first.outputs.arnSuffix).toMatch(
      new RegExp(`^app/${String(first.outputs.name)}/[0-9a-f]{16}$`),
    );
    expect(first.inputs.name).toBe(first.outputs.name);
    const named = create(recording, reference, 'aws:cloudwatch/logGroup:LogGroup', 'logs', {
      name: '/lorechat-dev/service',
    });
    expect(named.outputs.name).toBe('/lorechat-dev/service');
  });

  it("merges the provider's default tags into tagsAll of resources that take tags", () => {
    const { recording, provider: reference } = mocks();
    const topic = create(recording, reference, 'aws:sns/topic:Topic', 'alarms', {
      tags: { Name: 'alarms', Environment: 'own' },
    });
    expect(topic.inputs.tagsAll).toEqual({
      Project: 'lorechat',
      Environment: 'own',
      Name: 'alarms',
    });
    const policy = create(recording, reference, 'aws:iam/rolePolicy:RolePolicy', 'policy', {
      role: 'r',
      policy: '{}',
    });
    expect(policy.inputs.tagsAll).toBeUndefined();
  });

  it('refuses a resource or lookup that would use the disabled default provider', () => {
    const recording = new RecordingMocks('eu-west-1');
    expect(() =>
      recording.newResource({
        type: 'aws:sns/topic:Topic',
        name: 'alarms',
        inputs: {},
        custom: true,
        id: undefined,
      }),
    ).toThrow(/default AWS provider, which Pulumi.yaml disables/);
    expect(() =>
      recording.call({ token: 'aws:index/getCallerIdentity:getCallerIdentity', inputs: {} }),
    ).toThrow(/default AWS provider/);
  });

  it('catches an alarm that names a resource by its logical name instead of what AWS publishes', () => {
    const { recording, provider: reference } = mocks();
    const webAcl = create(recording, reference, 'aws:wafv2/webAcl:WebAcl', 'lorechat-dev-waf', {
      scope: 'CLOUDFRONT',
      visibilityConfig: { metricName: 'lorechat-dev-waf', cloudwatchMetricsEnabled: true },
      rules: [],
    });
    const alarm = (webAclDimension: string) =>
      create(recording, reference, 'aws:cloudwatch/metricAlarm:MetricAlarm', 'waf-blocked', {
        namespace: 'AWS/WAFV2',
        metricName: 'BlockedRequests',
        dimensions: { WebACL: webAclDimension, Rule: 'ALL' },
      });
    const published = publishedDimensions(recording.resources, {});
    expect(unpublishedDimensions(alarmMetrics(alarm('lorechat-dev-waf')), published)).toEqual([]);
    // The ACL's resource name is generated: nothing is published under it.
    expect(
      unpublishedDimensions(alarmMetrics(alarm(String(webAcl.outputs.name))), published),
    ).toEqual([
      expect.stringContaining(`WebACL=${String(webAcl.outputs.name)}, which AWS never publishes`),
    ]);
  });
});

describe('replacement of the ECS service, as the AWS provider decides it', () => {
  const strategy = (base: number, onDemand: number, spot: number) => [
    { capacityProvider: 'FARGATE', base, weight: onDemand },
    { capacityProvider: 'FARGATE_SPOT', weight: spot },
  ];

  it('replaces the service when its capacity strategy changes without forceNewDeployment', () => {
    expect(
      ecsServiceReplacement(
        { capacityProviderStrategies: strategy(1, 1, 3) },
        { capacityProviderStrategies: strategy(2, 1, 3) },
      ),
    ).toEqual(['capacityProviderStrategies']);
  });

  it('updates it in place with forceNewDeployment, unless the strategy appears or disappears', () => {
    expect(
      ecsServiceReplacement(
        { capacityProviderStrategies: strategy(1, 1, 3), forceNewDeployment: true },
        { capacityProviderStrategies: strategy(2, 0, 1), forceNewDeployment: true },
      ),
    ).toEqual([]);
    expect(
      ecsServiceReplacement(
        { capacityProviderStrategies: [], forceNewDeployment: true },
        { capacityProviderStrategies: strategy(1, 1, 3), forceNewDeployment: true },
      ),
    ).toEqual(['capacityProviderStrategies']);
  });
});
