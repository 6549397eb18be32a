/**
 * CloudWatch embedded metric format: a JSON log line that CloudWatch Logs turns into metrics on
 * ingestion, so the tasks need no agent and no `cloudwatch:PutMetricData` permission. See
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */

/** The units LoreChat's metrics use, spelled as CloudWatch expects them. */
export type MetricUnit = 'Count' | 'Milliseconds' | 'None';

export interface MetricValue {
  name: string;
  unit: MetricUnit;
  value: number;
}

export interface EmfRecord {
  namespace: string;
  /** Each inner list is one dimension set; CloudWatch allows at most 30 dimensions per set. */
  dimensionSets: string[][];
  /** Dimension values, by name: every name in `dimensionSets` must have one. */
  dimensions: Record<string, string>;
  metrics: MetricValue[];
  timestamp: number;
}

/** One EMF line: the `_aws` metadata, then the dimension values and metric values as members. */
export function emfLine(record: EmfRecord): string {
  const document: Record<string, unknown> = {
    _aws: {
      Timestamp: record.timestamp,
      CloudWatchMetrics: [
        {
          Namespace: record.namespace,
          Dimensions: record.dimensionSets,
          Metrics: record.metrics.map(({ name, unit }) => ({ Name: name, Unit: unit })),
        },
      ],
    },
    ...record.dimensions,
  };
  for (const metric of record.metrics) document[metric.name] = metric.value;
  return JSON.stringify(document);
}
