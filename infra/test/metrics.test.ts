import { METRIC, METRICS_NAMESPACE } from '@lorechat/contracts';
import { CONFIG_DEFAULTS } from '../config';
import { serviceAlarms } from '../components/alarms';
import { dashboardBody } from '../components/dashboard';
import { SERVICE_LOG_ERRORS_METRIC } from '../components/metrics';

/**
 * The alarms and the dashboard read the backend's metrics by name; the backend writes them under
 * the names in the shared contracts. Any name in the backend's namespace that neither the backend
 * writes nor the service's log filter makes would chart nothing and never alarm.
 */
describe('custom metric names', () => {
  const known: string[] = [...Object.values(METRIC), SERVICE_LOG_ERRORS_METRIC];

  /** Every metric name read from the backend's namespace, in alarms and dashboard widgets alike. */
  function namesInNamespace(value: unknown, found: string[] = []): string[] {
    if (Array.isArray(value)) {
      if (value[0] === METRICS_NAMESPACE && typeof value[1] === 'string') found.push(value[1]);
      for (const item of value) namesInNamespace(item, found);
    } else if (typeof value === 'object' && value !== null) {
      const { namespace, metricName, expression } = value as Record<string, unknown>;
      if (namespace === METRICS_NAMESPACE && typeof metricName === 'string') found.push(metricName);
      if (typeof expression === 'string' && expression.includes(`{${METRICS_NAMESPACE},`)) {
        found.push(
          ...[...expression.matchAll(/MetricName="([^"]+)"/g)].map((match) => match[1] ?? ''),
        );
      }
      for (const item of Object.values(value)) namesInNamespace(item, found);
    }
    return found;
  }

  it('in the alarms and on the dashboard are ones the backend writes', () => {
    const alarms = serviceAlarms({
      environment: 'dev',
      provider: 'extractive',
      metricsNamespace: METRICS_NAMESPACE,
      thresholds: {
        http5xxPercent: CONFIG_DEFAULTS.alarm5xxPercent,
        responseTimeP95Ms: CONFIG_DEFAULTS.alarmResponseTimeP95Ms,
        firstTokenP95Ms: CONFIG_DEFAULTS.alarmFirstTokenP95Ms,
        providerErrorPercent: CONFIG_DEFAULTS.alarmProviderErrorPercent,
        cpuPercent: CONFIG_DEFAULTS.alarmCpuPercent,
        memoryPercent: CONFIG_DEFAULTS.alarmMemoryPercent,
        wafBlockedRequests: CONFIG_DEFAULTS.alarmWafBlockedRequests,
      },
      loadBalancerArnSuffix: 'app/lorechat/1',
      targetGroupArnSuffix: 'targetgroup/lorechat/1',
      clusterName: 'lorechat',
      serviceName: 'lorechat',
      qdrantInstanceIds: ['i-0123456789abcdef0'],
      containerInsights: true,
      minTasks: 1,
      redis: true,
    });
    const dashboard = dashboardBody({
      environment: 'dev',
      provider: 'extractive',
      namespace: METRICS_NAMESPACE,
      region: 'eu-west-1',
      loadBalancer: 'app/lorechat/1',
      targetGroup: 'targetgroup/lorechat/1',
      cluster: 'lorechat',
      service: 'lorechat',
      distributionId: 'E123',
      webAclMetricName: 'lorechat-dev-waf',
      containerInsights: true,
      redis: true,
    });
    const read = namesInNamespace([alarms, dashboard]);
    // The alarms on time to first token and provider errors, and every answer widget.
    expect(read).toEqual(
      expect.arrayContaining([
        METRIC.timeToFirstToken,
        METRIC.providerErrors,
        METRIC.questions,
        METRIC.activeConnections,
        METRIC.dependencyReady,
      ]),
    );
    for (const name of read) expect(known).toContain(name);
  });
});
