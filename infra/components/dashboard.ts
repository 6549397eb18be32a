import { DEPENDENCY } from '@lorechat/contracts';
import { CUSTOM_METRIC, SERVICE_LOG_ERRORS_METRIC } from './metrics';

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
  webAclMetricName: string;
  containerInsights: boolean;
  /** Whether the tasks share a Redis, whose readiness they then publish. */
  redis: boolean;
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
  'Service: dependencies ready',
] as const;

/** The task-count widget of a stack without Container Insights, in place of the fifth. */
export const HEALTHY_TASKS_WIDGET = 'Service: healthy tasks (load balancer)';

/** The widget titles of a stack with or without Container Insights. */
export function dashboardWidgetTitles(containerInsights: boolean): string[] {
  return DASHBOARD_WIDGETS.map((title) =>
    title === DASHBOARD_WIDGETS[4] && !containerInsights ? HEALTHY_TASKS_WIDGET : title,
  );
}

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
        ['AWS/WAFV2', 'BlockedRequests', 'WebACL', targets.webAclMetricName, 'Rule', 'ALL'],
        ['AWS/WAFV2', 'AllowedRequests', 'WebACL', targets.webAclMetricName, 'Rule', 'ALL'],
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
    targets.containerInsights
      ? [
          DASHBOARD_WIDGETS[4],
          targets.region,
          [
            ['ECS/ContainerInsights', 'RunningTaskCount', ...svc],
            ['ECS/ContainerInsights', 'DesiredTaskCount', ...svc],
          ],
          { stat: 'Average' },
        ]
      : [
          HEALTHY_TASKS_WIDGET,
          targets.region,
          [
            ['AWS/ApplicationELB', 'HealthyHostCount', ...tg, ...lb],
            ['AWS/ApplicationELB', 'UnHealthyHostCount', ...tg, ...lb],
          ],
          { stat: 'Minimum' },
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
    [
      DASHBOARD_WIDGETS[12],
      targets.region,
      [DEPENDENCY.vectorStore, ...(targets.redis ? [DEPENDENCY.redis] : [])].map((dependency) => [
        ns,
        CUSTOM_METRIC.dependencyReady,
        'Environment',
        targets.environment,
        'Dependency',
        dependency,
        { label: dependency },
      ]),
      // The task that reaches it least: 0 as soon as one task cannot.
      { stat: 'Minimum', period: 60, yAxis: { left: { min: 0, max: 1 } } },
    ],
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
