import type * as aws from '@pulumi/aws';
import type * as pulumi from '@pulumi/pulumi';
import { DEPENDENCY, type DependencyName } from '@lorechat/contracts';
import { type AlarmThresholds } from '../config';
import { CUSTOM_METRIC } from './metrics';

/** One minute for anything visitors feel, five for slow-moving resources. */
const MINUTE = 60;
const FIVE_MINUTES = 300;

/** A CloudWatch alarm of this component, before its actions are attached. */
export type AlarmSpec = Omit<
  aws.cloudwatch.MetricAlarmArgs,
  'alarmActions' | 'okActions' | 'insufficientDataActions'
>;

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
  /** The self-hosted Qdrant nodes' instances, in node order; none for a managed cluster. */
  qdrantInstanceIds: pulumi.Input<string>[];
  containerInsights: boolean;
  minTasks: number;
  /** Whether the tasks share a Redis, whose readiness they then publish. */
  redis: boolean;
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
    ...(args.containerInsights
      ? { 'tasks-below-desired': tasksBelowDesired(service) }
      : { 'healthy-tasks-below-minimum': healthyTasksBelowMinimum(target, args.minTasks) }),
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
  alarms['vector-store-not-ready'] = notReadyAlarm(
    args.metricsNamespace,
    args.environment,
    DEPENDENCY.vectorStore,
  );
  if (args.redis) {
    alarms['redis-not-ready'] = notReadyAlarm(
      args.metricsNamespace,
      args.environment,
      DEPENDENCY.redis,
    );
  }
  args.qdrantInstanceIds.forEach((instanceId, index) => {
    // The first node's alarm keeps the name the single instance's always had.
    const node = index === 0 ? 'qdrant' : `qdrant-${index + 1}`;
    alarms[`${node}-status`] = {
      alarmDescription: `The Qdrant instance ${node} fails its status checks (the recover alarm handles host failures)`,
      namespace: 'AWS/EC2',
      metricName: 'StatusCheckFailed',
      dimensions: { InstanceId: instanceId },
      statistic: 'Maximum',
      period: MINUTE,
      evaluationPeriods: 3,
      datapointsToAlarm: 3,
      threshold: 0,
      comparisonOperator: 'GreaterThanThreshold',
      treatMissingData: 'breaching',
    };
  });
  return alarms;
}

/**
 * A task cannot reach a dependency for 3 minutes out of 5: the lowest DependencyReady across tasks,
 * which each publishes every minute (1 ready, 0 not). The tasks keep serving meanwhile (liveness
 * does not depend on it), so this alarm, not a replaced fleet, is how an outage is noticed.
 */
function notReadyAlarm(
  namespace: string,
  environment: string,
  dependency: DependencyName,
): AlarmSpec {
  return {
    alarmDescription: `A LoreChat task cannot reach its ${dependency} (3 of 5 minutes)`,
    namespace,
    metricName: CUSTOM_METRIC.dependencyReady,
    dimensions: { Environment: environment, Dependency: dependency },
    statistic: 'Minimum',
    period: MINUTE,
    evaluationPeriods: 5,
    datapointsToAlarm: 3,
    threshold: 1,
    comparisonOperator: 'LessThanThreshold',
    // No task running is for the task-count alarms to report.
    treatMissingData: 'notBreaching',
  };
}

/** From Container Insights: fewer tasks run than the service wants, for 10 minutes. */
function tasksBelowDesired(service: Record<string, pulumi.Input<string>>): AlarmSpec {
  return {
    alarmDescription: 'Fewer tasks run than the service wants, for 10 minutes',
    metricQueries: [
      containerInsightsQuery('desired', 'DesiredTaskCount', service),
      containerInsightsQuery('running', 'RunningTaskCount', service),
      { id: 'missing', expression: 'desired - running', label: 'Tasks missing', returnData: true },
    ],
    // A deployment or a Spot replacement legitimately dips for a few minutes.
    evaluationPeriods: 10,
    datapointsToAlarm: 10,
    threshold: 0,
    comparisonOperator: 'GreaterThanThreshold',
    treatMissingData: 'breaching',
  };
}

/**
 * Without Container Insights: fewer tasks pass the load balancer's health check than the service
 * keeps at least, for 10 minutes.
 */
function healthyTasksBelowMinimum(
  target: Record<string, pulumi.Input<string>>,
  minTasks: number,
): AlarmSpec {
  return {
    alarmDescription: `Fewer than ${minTasks} healthy tasks behind the load balancer, for 10 minutes`,
    namespace: 'AWS/ApplicationELB',
    metricName: 'HealthyHostCount',
    dimensions: target,
    statistic: 'Minimum',
    period: MINUTE,
    evaluationPeriods: 10,
    datapointsToAlarm: 10,
    threshold: minTasks,
    comparisonOperator: 'LessThanThreshold',
    treatMissingData: 'breaching',
  };
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
export function wafBlockedAlarm(webAclMetricName: string, thresholdPer5Minutes: number): AlarmSpec {
  return {
    alarmDescription: `The WAF blocked more than ${thresholdPer5Minutes} requests in 5 minutes`,
    namespace: 'AWS/WAFV2',
    metricName: 'BlockedRequests',
    // WAF publishes under the web ACL's metric name, not its (generated) resource name;
    // CloudFront-scope web ACLs publish without a Region dimension.
    dimensions: { WebACL: webAclMetricName, Rule: 'ALL' },
    statistic: 'Sum',
    period: FIVE_MINUTES,
    evaluationPeriods: 1,
    threshold: thresholdPer5Minutes,
    comparisonOperator: 'GreaterThanThreshold',
    treatMissingData: 'notBreaching',
  };
}
