import { type RecordedResource } from './mocks';

/**
 * The dimension values AWS publishes metrics under, derived from the resources the way each
 * service derives them: a load balancer's `LoadBalancer` is its ARN suffix (`app/<name>/<id>`), a
 * web ACL's `WebACL` is its visibility config's metric name, a cluster's `ClusterName` its
 * generated name. An alarm or widget asking for any other value reads a metric that never exists.
 *
 * `application` gives the dimensions the backend itself publishes under (its EMF lines), such as
 * `Environment` and `Provider`.
 */
export function publishedDimensions(
  resources: RecordedResource[],
  application: Record<string, string[]>,
): Map<string, Set<string>> {
  const published = new Map<string, Set<string>>();
  const add = (dimension: string, value: unknown) => {
    if (typeof value !== 'string') return;
    const values = published.get(dimension) ?? new Set<string>();
    values.add(value);
    published.set(dimension, values);
  };
  for (const resource of resources) {
    const { outputs } = resource;
    switch (resource.type) {
      case 'aws:lb/loadBalancer:LoadBalancer':
        add('LoadBalancer', outputs.arnSuffix);
        break;
      case 'aws:lb/targetGroup:TargetGroup':
        add('TargetGroup', outputs.arnSuffix);
        break;
      case 'aws:ecs/cluster:Cluster':
        add('ClusterName', outputs.name);
        break;
      case 'aws:ecs/service:Service':
        add('ServiceName', outputs.name);
        break;
      case 'aws:ec2/instance:Instance':
        add('InstanceId', resource.id);
        break;
      case 'aws:cloudfront/distribution:Distribution':
        add('DistributionId', resource.id);
        // CloudFront publishes its metrics with Region "Global", in us-east-1.
        add('Region', 'Global');
        break;
      case 'aws:wafv2/webAcl:WebAcl': {
        add(
          'WebACL',
          (outputs.visibilityConfig as { metricName?: string } | undefined)?.metricName,
        );
        add('Rule', 'ALL');
        const rules = (outputs.rules as { visibilityConfig?: { metricName?: string } }[]) ?? [];
        for (const rule of rules) add('Rule', rule.visibilityConfig?.metricName);
        break;
      }
      case 'aws:cloudwatch/eventRule:EventRule':
        add('RuleName', outputs.name);
        break;
      case 'aws:sqs/queue:Queue':
        add('QueueName', outputs.name);
        break;
      default:
        break;
    }
  }
  for (const [dimension, values] of Object.entries(application)) {
    for (const value of values) add(dimension, value);
  }
  return published;
}

/** A metric a CloudWatch alarm or dashboard widget reads: its dimensions by name. */
export interface MetricReference {
  /** Where it is read, for messages: the alarm or widget. */
  where: string;
  namespace: string;
  metricName: string;
  dimensions: Record<string, string>;
}

/** The metrics a recorded alarm reads, whether plain or through metric math queries. */
export function alarmMetrics(alarm: RecordedResource): MetricReference[] {
  const inputs = alarm.inputs;
  const where = `alarm ${alarm.name}`;
  if (typeof inputs.metricName === 'string') {
    return [
      {
        where,
        namespace: String(inputs.namespace),
        metricName: inputs.metricName,
        dimensions: (inputs.dimensions as Record<string, string> | undefined) ?? {},
      },
    ];
  }
  const queries =
    (inputs.metricQueries as { metric?: Record<string, unknown> }[] | undefined) ?? [];
  return queries.flatMap(({ metric }) =>
    metric
      ? [
          {
            where,
            namespace: String(metric.namespace),
            metricName: String(metric.metricName),
            dimensions: (metric.dimensions as Record<string, string> | undefined) ?? {},
          },
        ]
      : [],
  );
}

/**
 * The metrics a dashboard body's graphs read: each `[namespace, metric, name, value, …, options?]`
 * row, and `.` entries repeating the row above, as CloudWatch reads them. Expressions are skipped.
 */
export function dashboardMetrics(body: {
  widgets: { properties: { title?: string; metrics?: unknown[][] } }[];
}): MetricReference[] {
  return body.widgets.flatMap(({ properties }) => {
    let previous: unknown[] = [];
    return (properties.metrics ?? []).flatMap((row) => {
      if (row.length === 1 && typeof row[0] === 'object') return [];
      const plain = row.filter((item) => typeof item !== 'object');
      const resolved = plain.map((item, index) => (item === '.' ? previous[index] : item));
      previous = resolved;
      const [namespace, metricName, ...pairs] = resolved.map(String);
      const dimensions: Record<string, string> = {};
      for (let index = 0; index + 1 < pairs.length; index += 2) {
        dimensions[pairs[index] ?? ''] = pairs[index + 1] ?? '';
      }
      return [
        {
          where: `widget "${properties.title ?? ''}"`,
          namespace: namespace ?? '',
          metricName: metricName ?? '',
          dimensions,
        },
      ];
    });
  });
}

/** Each dimension a metric reads that AWS publishes under no such value, as a message. */
export function unpublishedDimensions(
  metrics: MetricReference[],
  published: Map<string, Set<string>>,
): string[] {
  return metrics.flatMap((metric) =>
    Object.entries(metric.dimensions).flatMap(([dimension, value]) =>
      published.get(dimension)?.has(value)
        ? []
        : [
            `${metric.where} reads ${metric.namespace} ${metric.metricName} with ${dimension}=${value}, which AWS never publishes`,
          ],
    ),
  );
}
