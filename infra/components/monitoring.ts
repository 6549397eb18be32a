// The backend's custom metrics, by the names it writes them under.
import { METRIC as CUSTOM_METRIC } from '@lorechat/contracts';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { type AlarmThresholds } from '../config';
import { policyDocument } from '../iam';

/** What the error-log filter counts, in the service's log group. */
export const SERVICE_LOG_ERRORS_METRIC = 'ServiceLogErrors';

/**
 * The backend's JSON log lines carry the level in capitals (`"level":"ERROR"`); the filter also
 * catches uncaught errors Node prints itself, which are not JSON.
 * Embedded-metric lines never contain these words in capitals, so they are not counted.
 */
export const ERROR_LOG_PATTERN = '?ERROR ?FATAL ?"Unhandled"';

/** One minute for anything visitors feel, five for slow-moving resources. */
const MINUTE = 60;
const FIVE_MINUTES = 300;

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
  webAclName: pulumi.Input<string>;
  /** CloudFront and WAF publish their metrics in us-east-1; their alarm must live there too. */
  usEast1Provider: aws.Provider;
  /** The self-hosted Qdrant instance, when there is one. */
  qdrantInstanceId?: pulumi.Input<string>;
}

/** A CloudWatch alarm of this component, before its actions are attached. */
export type AlarmSpec = Omit<
  aws.cloudwatch.MetricAlarmArgs,
  'alarmActions' | 'okActions' | 'insufficientDataActions'
>;

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
        ...wafBlockedAlarm(args.webAclName, args.thresholds.wafBlockedRequests),
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
            args.webAclName,
          ])
          .apply(([loadBalancer, targetGroup, cluster, service, distributionId, webAclName]) =>
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
                webAclName,
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
    new aws.sns.TopicPolicy(name, { arn: topic.arn, policy: alarmTopicPolicy(topic.arn) }, opts);
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
export function alarmTopicPolicy(topicArn: pulumi.Input<string>): pulumi.Output<string> {
  const account = aws.getCallerIdentityOutput();
  return policyDocument([
    {
      Sid: 'AlarmSourcesPublish',
      Effect: 'Allow',
      Principal: {
        Service: ['cloudwatch.amazonaws.com', 'budgets.amazonaws.com', 'events.amazonaws.com'],
      },
      Action: 'sns:Publish',
      Resource: topicArn,
      Condition: { StringEquals: { 'aws:SourceAccount': account.accountId } },
    },
  ]);
}

/**
 * The alarms on the stack's own region, by resource name suffix. Percentages are computed with
 * metric math, so a quiet night with three requests and one error does not page anyone: each
 * rate alarm needs three bad minutes out of five.
 */
export function serviceAlarms(args: {
  environment: string;
  provider: string;
  metricsNamespace: string;
  thresholds: AlarmThresholds;
  loadBalancerArnSuffix: pulumi.Input<string>;
  targetGroupArnSuffix: pulumi.Input<string>;
  clusterName: pulumi.Input<string>;
  serviceName: pulumi.Input<string>;
  qdrantInstanceId?: pulumi.Input<string>;
}): Record<string, AlarmSpec> {
  const { thresholds } = args;
  const loadBalancer = { LoadBalancer: args.loadBalancerArnSuffix };
  const target = { ...loadBalancer, TargetGroup: args.targetGroupArnSuffix };
  const service = { ClusterName: args.clusterName, ServiceName: args.serviceName };
  const answers = { Environment: args.environment, Provider: args.provider };
  const sustained = { evaluationPeriods: 5, datapointsToAlarm: 3 };

  const alarms: Record<string, AlarmSpec> = {
    'alb-5xx-rate': rateAlarm({
      description: `Load balancer 5xx responses above ${thresholds.http5xxPercent}% of requests`,
      namespace: 'AWS/ApplicationELB',
      errors: 'HTTPCode_ELB_5XX_Count',
      total: 'RequestCount',
      dimensions: loadBalancer,
      thresholdPercent: thresholds.http5xxPercent,
    }),
    'target-5xx-rate': rateAlarm({
      description: `LoreChat tasks answer 5xx to more than ${thresholds.http5xxPercent}% of requests`,
      namespace: 'AWS/ApplicationELB',
      errors: 'HTTPCode_Target_5XX_Count',
      total: 'RequestCount',
      dimensions: target,
      thresholdPercent: thresholds.http5xxPercent,
    }),
    'response-time-p95': {
      alarmDescription: `p95 response time of the tasks above ${thresholds.responseTimeP95Ms} ms`,
      namespace: 'AWS/ApplicationELB',
      metricName: 'TargetResponseTime',
      dimensions: loadBalancer,
      extendedStatistic: 'p95',
      period: MINUTE,
      ...sustained,
      // The metric is in seconds.
      threshold: thresholds.responseTimeP95Ms / 1000,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    },
    'unhealthy-hosts': {
      alarmDescription: 'A task fails the load balancer health check',
      namespace: 'AWS/ApplicationELB',
      metricName: 'UnHealthyHostCount',
      dimensions: target,
      statistic: 'Maximum',
      period: MINUTE,
      ...sustained,
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    },
    'tasks-below-desired': {
      alarmDescription: 'Fewer tasks run than the service wants, for 10 minutes',
      metricQueries: [
        containerInsightsQuery('desired', 'DesiredTaskCount', service),
        containerInsightsQuery('running', 'RunningTaskCount', service),
        {
          id: 'missing',
          expression: 'desired - running',
          label: 'Tasks missing',
          returnData: true,
        },
      ],
      // A deployment or a Spot replacement legitimately dips for a few minutes.
      evaluationPeriods: 10,
      datapointsToAlarm: 10,
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'breaching',
    },
    'cpu-high': utilisationAlarm('CPUUtilization', thresholds.cpuPercent, service),
    'memory-high': utilisationAlarm('MemoryUtilization', thresholds.memoryPercent, service),
    'first-token-p95': {
      alarmDescription: `p95 time to the first answer token above ${thresholds.firstTokenP95Ms} ms`,
      namespace: args.metricsNamespace,
      metricName: CUSTOM_METRIC.timeToFirstToken,
      dimensions: answers,
      extendedStatistic: 'p95',
      period: FIVE_MINUTES,
      evaluationPeriods: 2,
      datapointsToAlarm: 2,
      threshold: thresholds.firstTokenP95Ms,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'notBreaching',
    },
    'provider-error-rate': rateAlarm({
      description: `Model provider errors above ${thresholds.providerErrorPercent}% of questions`,
      namespace: args.metricsNamespace,
      errors: CUSTOM_METRIC.providerErrors,
      total: CUSTOM_METRIC.questions,
      dimensions: answers,
      thresholdPercent: thresholds.providerErrorPercent,
    }),
  };
  if (args.qdrantInstanceId) {
    alarms['qdrant-status'] = {
      alarmDescription:
        'The Qdrant instance fails its status checks (the recover alarm handles host failures)',
      namespace: 'AWS/EC2',
      metricName: 'StatusCheckFailed',
      dimensions: { InstanceId: args.qdrantInstanceId },
      statistic: 'Maximum',
      period: MINUTE,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'breaching',
    };
  }
  return alarms;
}

/** Errors as a percentage of a total, over one-minute periods, three bad minutes out of five. */
function rateAlarm(args: {
  description: string;
  namespace: string;
  errors: string;
  total: string;
  dimensions: Record<string, pulumi.Input<string>>;
  thresholdPercent: number;
}): AlarmSpec {
  const metric = (metricName: string) => ({
    namespace: args.namespace,
    metricName,
    dimensions: args.dimensions,
    period: MINUTE,
    stat: 'Sum',
  });
  return {
    alarmDescription: args.description,
    metricQueries: [
      { id: 'errors', metric: metric(args.errors), returnData: false },
      { id: 'total', metric: metric(args.total), returnData: false },
      {
        id: 'rate',
        // FILL keeps a minute without errors at 0% rather than missing.
        expression: 'IF(total > 0, 100 * FILL(errors, 0) / total, 0)',
        label: 'Error rate (%)',
        returnData: true,
      },
    ],
    evaluationPeriods: 5,
    datapointsToAlarm: 3,
    threshold: args.thresholdPercent,
    comparisonOperator: 'GreaterThanThreshold',
    treatMissingData: 'notBreaching',
  };
}

function containerInsightsQuery(
  id: string,
  metricName: string,
  dimensions: Record<string, pulumi.Input<string>>,
): aws.types.input.cloudwatch.MetricAlarmMetricQuery {
  return {
    id,
    metric: {
      namespace: 'ECS/ContainerInsights',
      metricName,
      dimensions,
      period: MINUTE,
      stat: 'Average',
    },
    returnData: false,
  };
}

function utilisationAlarm(
  metricName: 'CPUUtilization' | 'MemoryUtilization',
  thresholdPercent: number,
  dimensions: Record<string, pulumi.Input<string>>,
): AlarmSpec {
  return {
    alarmDescription: `Service average ${metricName} above ${thresholdPercent}% for 15 minutes`,
    namespace: 'AWS/ECS',
    metricName,
    dimensions,
    statistic: 'Average',
    period: FIVE_MINUTES,
    evaluationPeriods: 3,
    datapointsToAlarm: 3,
    threshold: thresholdPercent,
    comparisonOperator: 'GreaterThanThreshold',
    treatMissingData: 'notBreaching',
  };
}

/** A burst of blocked requests: an attack, a scraper, or a rule blocking real visitors. */
export function wafBlockedAlarm(
  webAclName: pulumi.Input<string>,
  thresholdPer5Minutes: number,
): AlarmSpec {
  return {
    alarmDescription: `The WAF blocked more than ${thresholdPer5Minutes} requests in 5 minutes`,
    namespace: 'AWS/WAFV2',
    metricName: 'BlockedRequests',
    // CloudFront-scope web ACLs publish without a Region dimension.
    dimensions: { WebACL: webAclName, Rule: 'ALL' },
    statistic: 'Sum',
    period: FIVE_MINUTES,
    evaluationPeriods: 1,
    threshold: thresholdPer5Minutes,
    comparisonOperator: 'GreaterThanThreshold',
    treatMissingData: 'notBreaching',
  };
}

interface DashboardTargets {
  environment: string;
  provider: string;
  namespace: string;
  region: string;
  loadBalancer: string;
  targetGroup: string;
  cluster: string;
  service: string;
  distributionId: string;
  webAclName: string;
}

interface Widget {
  type: 'metric' | 'text';
  x: number;
  y: number;
  width: number;
  height: number;
  properties: Record<string, unknown>;
}

/** The dashboard's widget titles, in order; docs/operations.md describes each. */
export const DASHBOARD_WIDGETS = [
  'Edge: requests and error rates (CloudFront)',
  'Edge: requests blocked by the WAF',
  'Load balancer: requests and 5xx',
  'Load balancer: p95 response time (s)',
  'Service: running and desired tasks',
  'Service: CPU and memory (%)',
  'Answers: questions and active connections',
  'Answers: p95 time to first token and retrieval (ms)',
  'Answers: tokens in and out',
  'Answers: estimated cost per answer (USD)',
  'Answers: provider errors by code',
  'Service: error log lines',
] as const;

/**
 * The CloudWatch dashboard body: the edge (us-east-1 metrics), the load balancer, the service, then
 * the backend's own metrics, two widgets per row.
 */
export function dashboardBody(targets: DashboardTargets): { widgets: Widget[] } {
  const lb = ['LoadBalancer', targets.loadBalancer];
  const tg = ['TargetGroup', targets.targetGroup];
  const svc = ['ClusterName', targets.cluster, 'ServiceName', targets.service];
  const answers = ['Environment', targets.environment, 'Provider', targets.provider];
  const cloudFront = ['DistributionId', targets.distributionId, 'Region', 'Global'];
  const ns = targets.namespace;
  const graphs: [string, string, unknown[][], Record<string, unknown>?][] = [
    [
      DASHBOARD_WIDGETS[0],
      'us-east-1',
      [
        ['AWS/CloudFront', 'Requests', ...cloudFront, { stat: 'Sum' }],
        ['AWS/CloudFront', '4xxErrorRate', ...cloudFront, { yAxis: 'right' }],
        ['AWS/CloudFront', '5xxErrorRate', ...cloudFront, { yAxis: 'right' }],
      ],
    ],
    [
      DASHBOARD_WIDGETS[1],
      'us-east-1',
      [
        ['AWS/WAFV2', 'BlockedRequests', 'WebACL', targets.webAclName, 'Rule', 'ALL'],
        ['AWS/WAFV2', 'AllowedRequests', 'WebACL', targets.webAclName, 'Rule', 'ALL'],
      ],
      { stat: 'Sum' },
    ],
    [
      DASHBOARD_WIDGETS[2],
      targets.region,
      [
        ['AWS/ApplicationELB', 'RequestCount', ...lb],
        ['AWS/ApplicationELB', 'HTTPCode_ELB_5XX_Count', ...lb],
        ['AWS/ApplicationELB', 'HTTPCode_Target_5XX_Count', ...lb, ...tg],
      ],
      { stat: 'Sum' },
    ],
    [
      DASHBOARD_WIDGETS[3],
      targets.region,
      [['AWS/ApplicationELB', 'TargetResponseTime', ...lb]],
      { stat: 'p95' },
    ],
    [
      DASHBOARD_WIDGETS[4],
      targets.region,
      [
        ['ECS/ContainerInsights', 'RunningTaskCount', ...svc],
        ['ECS/ContainerInsights', 'DesiredTaskCount', ...svc],
      ],
      { stat: 'Average' },
    ],
    [
      DASHBOARD_WIDGETS[5],
      targets.region,
      [
        ['AWS/ECS', 'CPUUtilization', ...svc],
        ['AWS/ECS', 'MemoryUtilization', ...svc],
      ],
      { stat: 'Average' },
    ],
    [
      DASHBOARD_WIDGETS[6],
      targets.region,
      [
        [ns, CUSTOM_METRIC.questions, ...answers, { stat: 'Sum' }],
        [ns, CUSTOM_METRIC.responseCacheHits, ...answers, { stat: 'Sum', label: 'From cache' }],
        [
          ns,
          CUSTOM_METRIC.activeConnections,
          'Environment',
          targets.environment,
          { stat: 'Sum', yAxis: 'right' },
        ],
      ],
    ],
    [
      DASHBOARD_WIDGETS[7],
      targets.region,
      [
        [ns, CUSTOM_METRIC.timeToFirstToken, ...answers],
        [ns, CUSTOM_METRIC.retrievalLatency, ...answers],
      ],
      { stat: 'p95' },
    ],
    [
      DASHBOARD_WIDGETS[8],
      targets.region,
      [
        [ns, CUSTOM_METRIC.inputTokens, ...answers],
        [ns, CUSTOM_METRIC.outputTokens, ...answers],
      ],
      { stat: 'Sum' },
    ],
    [
      DASHBOARD_WIDGETS[9],
      targets.region,
      [
        [ns, CUSTOM_METRIC.answerCost, ...answers, { stat: 'Average', label: 'Per answer' }],
        [ns, CUSTOM_METRIC.answerCost, ...answers, { stat: 'Sum', label: 'Total', yAxis: 'right' }],
      ],
    ],
    [
      DASHBOARD_WIDGETS[10],
      targets.region,
      [
        [
          {
            expression: `SEARCH('{${ns},Environment,Provider,ErrorCode} MetricName="${CUSTOM_METRIC.providerErrors}" Environment="${targets.environment}"', 'Sum', 300)`,
            label: '',
          },
        ],
      ],
    ],
    [DASHBOARD_WIDGETS[11], targets.region, [[ns, SERVICE_LOG_ERRORS_METRIC]], { stat: 'Sum' }],
  ];
  return {
    widgets: graphs.map(([title, region, metrics, extra], index) => ({
      type: 'metric',
      x: (index % 2) * 12,
      y: Math.floor(index / 2) * 6,
      width: 12,
      height: 6,
      properties: { title, region, metrics, view: 'timeSeries', period: 300, ...extra },
    })),
  };
}
