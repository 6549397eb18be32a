import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { type AlarmThresholds } from '../config';
import { policyDocument } from '../iam';
import { serviceAlarms, wafBlockedAlarm } from './alarms';
import { dashboardBody } from './dashboard';
import { ERROR_LOG_PATTERN, SERVICE_LOG_ERRORS_METRIC } from './metrics';

export interface MonitoringArgs {
  /** The stack: the `Environment` dimension of the custom metrics. */
  environment: string;
  /** The configured LLM provider: the `Provider` dimension of the custom metrics. */
  provider: string;
  metricsNamespace: string;
  region: string;
  alarmEmail?: string;
  thresholds: AlarmThresholds;
  loadBalancerArnSuffix: pulumi.Input<string>;
  targetGroupArnSuffix: pulumi.Input<string>;
  clusterName: pulumi.Input<string>;
  serviceName: pulumi.Input<string>;
  serviceLogGroupName: pulumi.Input<string>;
  distributionId: pulumi.Input<string>;
  /** The `WebACL` dimension of the WAF's metrics: its visibility config's metric name. */
  webAclMetricName: string;
  /** CloudFront and WAF publish their metrics in us-east-1; their alarm must live there too. */
  usEast1Provider: aws.Provider;
  /** Without Container Insights, task counts come from the load balancer's healthy targets. */
  containerInsights: boolean;
  /** Fewest tasks the service keeps: fewer healthy ones for 10 minutes raise an alarm. */
  minTasks: number;
  /** The self-hosted Qdrant nodes' instances; none for a managed cluster. */
  qdrantInstanceIds: pulumi.Input<string>[];
  /** Whether the tasks share a Redis: its readiness is then alarmed on and charted. */
  redis: boolean;
}

/**
 * What tells operators LoreChat is unhealthy before visitors do: an SNS topic (mailed to the
 * stack's alarm address) in the stack's region and one in us-east-1 for the edge, the alarms of
 * docs/operations.md, a filter counting error log lines, and a dashboard of the edge, the service,
 * the answers and what they cost.
 */
export class Monitoring extends pulumi.ComponentResource {
  /** Alarms, budget warnings and ingest failures are published here. */
  readonly alarmTopicArn: pulumi.Output<string>;
  readonly dashboardName: pulumi.Output<string>;

  constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
    super('lorechat:monitoring:Monitoring', name, {}, opts);

    const topic = this.alarmTopic(`${name}-alarms`, args.alarmEmail, { parent: this });
    const edgeTopic = this.alarmTopic(`${name}-alarms-us-east-1`, args.alarmEmail, {
      parent: this,
      provider: args.usEast1Provider,
    });

    const specs = serviceAlarms(args);
    for (const [alarmName, spec] of Object.entries(specs)) {
      new aws.cloudwatch.MetricAlarm(
        `${name}-${alarmName}`,
        { ...spec, alarmActions: [topic.arn], okActions: [topic.arn] },
        { parent: this },
      );
    }
    new aws.cloudwatch.MetricAlarm(
      `${name}-waf-blocked`,
      {
        ...wafBlockedAlarm(args.webAclMetricName, args.thresholds.wafBlockedRequests),
        alarmActions: [edgeTopic.arn],
        okActions: [edgeTopic.arn],
      },
      { parent: this, provider: args.usEast1Provider },
    );

    new aws.cloudwatch.LogMetricFilter(
      `${name}-service-errors`,
      {
        logGroupName: args.serviceLogGroupName,
        pattern: ERROR_LOG_PATTERN,
        metricTransformation: {
          name: SERVICE_LOG_ERRORS_METRIC,
          namespace: args.metricsNamespace,
          value: '1',
          defaultValue: '0',
        },
      },
      { parent: this },
    );

    const dashboard = new aws.cloudwatch.Dashboard(
      `${name}-dashboard`,
      {
        dashboardName: name,
        dashboardBody: pulumi
          .all([
            args.loadBalancerArnSuffix,
            args.targetGroupArnSuffix,
            args.clusterName,
            args.serviceName,
            args.distributionId,
          ])
          .apply(([loadBalancer, targetGroup, cluster, service, distributionId]) =>
            JSON.stringify(
              dashboardBody({
                environment: args.environment,
                provider: args.provider,
                namespace: args.metricsNamespace,
                region: args.region,
                loadBalancer,
                targetGroup,
                cluster,
                service,
                distributionId,
                webAclMetricName: args.webAclMetricName,
                containerInsights: args.containerInsights,
                redis: args.redis,
              }),
            ),
          ),
      },
      { parent: this },
    );

    this.alarmTopicArn = topic.arn;
    this.dashboardName = dashboard.dashboardName;
    this.registerOutputs({
      alarmTopicArn: this.alarmTopicArn,
      dashboardName: this.dashboardName,
    });
  }

  /** A topic the alarm address subscribes to, which AWS Budgets and EventBridge may publish to. */
  private alarmTopic(
    name: string,
    email: string | undefined,
    opts: pulumi.CustomResourceOptions,
  ): aws.sns.Topic {
    const topic = new aws.sns.Topic(name, { displayName: 'LoreChat alarms' }, opts);
    const account = aws.getCallerIdentityOutput({}, opts);
    new aws.sns.TopicPolicy(
      name,
      { arn: topic.arn, policy: alarmTopicPolicy(topic.arn, account.accountId) },
      opts,
    );
    if (email) {
      new aws.sns.TopicSubscription(
        name,
        { topic: topic.arn, protocol: 'email', endpoint: email },
        opts,
      );
    }
    return topic;
  }
}

/**
 * Who may publish alarms: CloudWatch (alarms), AWS Budgets (budget warnings) and EventBridge
 * (failed ingest runs), each only from this account.
 */
export function alarmTopicPolicy(
  topicArn: pulumi.Input<string>,
  accountId: pulumi.Input<string>,
): pulumi.Output<string> {
  return policyDocument([
    {
      Sid: 'AlarmSourcesPublish',
      Effect: 'Allow',
      Principal: {
        Service: ['cloudwatch.amazonaws.com', 'budgets.amazonaws.com', 'events.amazonaws.com'],
      },
      Action: 'sns:Publish',
      Resource: topicArn,
      Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
    },
  ]);
}
