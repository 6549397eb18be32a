import * as pulumi from '@pulumi/pulumi';

/** The tags every taggable resource carries: cost allocation, ownership and environment. */
export function standardTags(project: string, stack: string): Record<string, string> {
  return { Project: project, Environment: stack, ManagedBy: 'pulumi' };
}

/**
 * Resource types whose arguments take `tags`, among those this program creates. A type missing
 * here goes untagged, so the unit tests check this list against each recorded resource's SDK
 * definition. `awsx:ec2:Vpc` passes its tags on to the VPC, subnets, route tables and internet
 * gateway it creates inside the awsx provider, where a transformation cannot reach.
 */
export const TAGGABLE_TYPES: ReadonlySet<string> = new Set([
  'awsx:ec2:Vpc',
  'aws:acm/certificate:Certificate',
  'aws:appautoscaling/target:Target',
  'aws:budgets/budget:Budget',
  'aws:cloudfront/distribution:Distribution',
  'aws:cloudwatch/eventRule:EventRule',
  'aws:cloudwatch/logGroup:LogGroup',
  'aws:cloudwatch/metricAlarm:MetricAlarm',
  'aws:dlm/lifecyclePolicy:LifecyclePolicy',
  'aws:ebs/volume:Volume',
  'aws:ec2/flowLog:FlowLog',
  'aws:ec2/instance:Instance',
  'aws:ec2/securityGroup:SecurityGroup',
  'aws:ecr/repository:Repository',
  'aws:ecs/cluster:Cluster',
  'aws:ecs/service:Service',
  'aws:ecs/taskDefinition:TaskDefinition',
  'aws:elasticache/replicationGroup:ReplicationGroup',
  'aws:elasticache/subnetGroup:SubnetGroup',
  'aws:iam/instanceProfile:InstanceProfile',
  'aws:iam/role:Role',
  'aws:lb/listener:Listener',
  'aws:lb/listenerRule:ListenerRule',
  'aws:lb/loadBalancer:LoadBalancer',
  'aws:lb/targetGroup:TargetGroup',
  'aws:s3/bucket:Bucket',
  'aws:secretsmanager/secret:Secret',
  'aws:sns/topic:Topic',
  'aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule',
  'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule',
  'aws:wafv2/webAcl:WebAcl',
]);

/**
 * A stack transformation that merges the standard tags into every taggable resource. A tag set on
 * a resource itself (such as `Name`) is kept; the standard keys always win, so reports grouped by
 * them are complete.
 */
export function standardTagsTransformation(
  tags: Record<string, string>,
): pulumi.ResourceTransformation {
  return ({ type, props, opts }) => {
    if (!TAGGABLE_TYPES.has(type)) return undefined;
    const existing = props.tags as pulumi.Input<Record<string, pulumi.Input<string>>> | undefined;
    return {
      props: {
        ...props,
        tags: pulumi.output(existing ?? {}).apply((own) => ({ ...own, ...tags })),
      },
      opts,
    };
  };
}

/** Tags every taggable resource created after this call; call it before creating any resource. */
export function registerStandardTags(project: string, stack: string): void {
  pulumi.runtime.registerStackTransformation(
    standardTagsTransformation(standardTags(project, stack)),
  );
}
