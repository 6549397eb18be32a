import { DEPENDENCY, METRIC, METRICS_NAMESPACE } from '@lorechat/contracts';
import { dashboardWidgetTitles } from '../../../components/dashboard';
import { PROJECT, type StackConfig } from '../../../config';
import { SIMULATED_ACCOUNT_ID } from '../../../simulation/mocks';
import {
  alarmMetrics,
  dashboardMetrics,
  publishedDimensions,
  unpublishedDimensions,
} from '../../../simulation/published';
import { allOf, arnOf, container, input, oneOf, regionOf, type PolicyDocument } from '../recorded';
import { type ProgramRun } from '../../../simulation/runProgram';
import { type StackContext } from './context';

/** Alarms, the dashboard and the budget. */
export function describeMonitoring(context: StackContext): void {
  const { stack, config } = context;
  let run: ProgramRun;
  beforeAll(() => {
    run = context.run();
  });
  describe('monitoring', () => {
    const alarms = () => allOf(run, 'aws:cloudwatch/metricAlarm:MetricAlarm');
    const alarm = (suffix: string) =>
      oneOf(run, 'aws:cloudwatch/metricAlarm:MetricAlarm', `${config.resourcePrefix}-${suffix}`);
    const topics = () => allOf(run, 'aws:sns/topic:Topic');

    it('mails the stack alarm address from a topic in the region and one in us-east-1', () => {
      expect(
        topics()
          .map((topic) => topic.name)
          .sort(),
      ).toEqual([`${config.resourcePrefix}-alarms`, `${config.resourcePrefix}-alarms-us-east-1`]);
      const subscriptions = allOf(run, 'aws:sns/topicSubscription:TopicSubscription');
      const email = config.monitoring.alarmEmail;
      expect(subscriptions.map((subscription) => subscription.inputs)).toEqual(
        email
          ? [
              expect.objectContaining({ protocol: 'email', endpoint: email }),
              expect.objectContaining({ protocol: 'email', endpoint: email }),
            ]
          : [],
      );
      for (const policy of allOf(run, 'aws:sns/topicPolicy:TopicPolicy')) {
        const document = JSON.parse(input<string>(policy, 'policy')) as PolicyDocument;
        expect(document.Statement[0]?.Condition).toEqual({
          StringEquals: { 'aws:SourceAccount': SIMULATED_ACCOUNT_ID },
        });
      }
    });

    it('alarms on every signal the issue lists, each notifying the topic', () => {
      const expected = [
        'alb-5xx-rate',
        'target-5xx-rate',
        'response-time-p95',
        'unhealthy-hosts',
        config.service.containerInsights ? 'tasks-below-desired' : 'healthy-tasks-below-minimum',
        'cpu-high',
        'memory-high',
        'first-token-p95',
        'provider-error-rate',
        'vector-store-not-ready',
        ...(config.cache ? ['redis-not-ready'] : []),
        ...nodeNames(config).map((node) => `${node}-status`),
        'waf-blocked',
        'ingest-failed',
        'ingest-not-started',
      ];
      const regional = arnOf(oneOf(run, 'aws:sns/topic:Topic', `${config.resourcePrefix}-alarms`));
      for (const suffix of expected) {
        const actions = input<string[]>(alarm(suffix), 'alarmActions');
        if (suffix === 'waf-blocked') continue;
        expect([suffix, actions]).toEqual([suffix, [regional]]);
      }
      // Only each Qdrant node's recovery alarm acts on EC2 instead of notifying.
      expect(alarms()).toHaveLength(expected.length + nodeNames(config).length);
    });

    it('reads every metric under the dimensions AWS and the server publish it with', () => {
      const environment = Object.fromEntries(
        container(run).environment.map(({ name, value }) => [name, value]),
      );
      // The server publishes Redis' readiness only when it is given REDIS_URL.
      const hasRedis = container(run).secrets.some((secret) => secret.name === 'REDIS_URL');
      const published = publishedDimensions(run.resources, {
        Environment: [environment.METRICS_ENVIRONMENT ?? ''],
        Provider: [environment.LLM_PROVIDER ?? ''],
        Dependency: [DEPENDENCY.vectorStore, ...(hasRedis ? [DEPENDENCY.redis] : [])],
      });
      const body = JSON.parse(
        input<string>(oneOf(run, 'aws:cloudwatch/dashboard:Dashboard'), 'dashboardBody'),
      ) as Parameters<typeof dashboardMetrics>[0];
      const metrics = [...alarms().flatMap(alarmMetrics), ...dashboardMetrics(body)];
      expect(metrics.length).toBeGreaterThan(25);
      // Generated names (the load balancer's ARN suffix, the cluster's name) and AWS-derived ones
      // (the WAF's metric name): a logical name here would read a metric that never exists.
      expect(unpublishedDimensions(metrics, published)).toEqual([]);
    });

    it('alarms when a task cannot reach Qdrant or Redis, from the readiness every task publishes', () => {
      const dependencies = [DEPENDENCY.vectorStore, ...(config.cache ? [DEPENDENCY.redis] : [])];
      for (const dependency of dependencies) {
        const suffix =
          dependency === DEPENDENCY.redis ? 'redis-not-ready' : 'vector-store-not-ready';
        expect(alarm(suffix).inputs).toMatchObject({
          namespace: METRICS_NAMESPACE,
          metricName: METRIC.dependencyReady,
          dimensions: { Environment: stack, Dependency: dependency },
          statistic: 'Minimum',
          threshold: 1,
          comparisonOperator: 'LessThanThreshold',
        });
      }
    });

    it('takes its thresholds from the stack configuration', () => {
      const thresholds = config.monitoring.thresholds;
      expect(alarm('alb-5xx-rate').inputs.threshold).toBe(thresholds.http5xxPercent);
      expect(alarm('target-5xx-rate').inputs.threshold).toBe(thresholds.http5xxPercent);
      expect(alarm('response-time-p95').inputs).toMatchObject({
        extendedStatistic: 'p95',
        threshold: thresholds.responseTimeP95Ms / 1000,
      });
      expect(alarm('cpu-high').inputs.threshold).toBe(thresholds.cpuPercent);
      expect(alarm('memory-high').inputs.threshold).toBe(thresholds.memoryPercent);
      expect(alarm('first-token-p95').inputs).toMatchObject({
        namespace: METRICS_NAMESPACE,
        extendedStatistic: 'p95',
        threshold: thresholds.firstTokenP95Ms,
        dimensions: { Environment: stack, Provider: config.llm.provider },
      });
      expect(alarm('provider-error-rate').inputs.threshold).toBe(thresholds.providerErrorPercent);
      expect(alarm('waf-blocked').inputs.threshold).toBe(thresholds.wafBlockedRequests);
    });

    it('watches the WAF in us-east-1 under its metric name, where CloudFront-scope metrics are published', () => {
      const waf = alarm('waf-blocked');
      const webAcl = oneOf(run, 'aws:wafv2/webAcl:WebAcl');
      expect(regionOf(run, waf)).toBe('us-east-1');
      expect(waf.inputs).toMatchObject({
        namespace: 'AWS/WAFV2',
        metricName: 'BlockedRequests',
        // WAF publishes under the visibility config's metric name, not the ACL's generated name.
        dimensions: {
          WebACL: input<{ metricName: string }>(webAcl, 'visibilityConfig').metricName,
          Rule: 'ALL',
        },
        alarmActions: [
          arnOf(oneOf(run, 'aws:sns/topic:Topic', `${config.resourcePrefix}-alarms-us-east-1`)),
        ],
      });
    });

    it('counts error log lines of the service and shows every widget on one dashboard', () => {
      expect(oneOf(run, 'aws:cloudwatch/logMetricFilter:LogMetricFilter').inputs).toMatchObject({
        logGroupName: `/${config.resourcePrefix}/service`,
        metricTransformation: expect.objectContaining({ namespace: METRICS_NAMESPACE }),
      });
      const dashboard = oneOf(run, 'aws:cloudwatch/dashboard:Dashboard');
      const body = JSON.parse(input<string>(dashboard, 'dashboardBody')) as {
        widgets: { properties: { title: string; region: string } }[];
      };
      expect(body.widgets.map((widget) => widget.properties.title)).toEqual(
        dashboardWidgetTitles(config.service.containerInsights),
      );
      expect(body.widgets[0]?.properties.region).toBe('us-east-1');
      expect(body.widgets.at(-1)?.properties.region).toBe(config.region);
      expect(run.outputs.dashboardName).toBe(config.resourcePrefix);
    });
  });

  describe('budget', () => {
    it('limits the month’s cost of this stack’s tagged resources, warning at 80% and 100% forecast', () => {
      const budget = oneOf(run, 'aws:budgets/budget:Budget');
      expect(budget.inputs).toMatchObject({
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        limitAmount: config.monthlyBudgetUsd.toFixed(2),
        limitUnit: 'USD',
        filterExpression: {
          ands: [
            { tags: expect.objectContaining({ key: 'Project', values: [PROJECT] }) },
            { tags: expect.objectContaining({ key: 'Environment', values: [stack] }) },
          ],
        },
      });
      const topic = arnOf(oneOf(run, 'aws:sns/topic:Topic', `${config.resourcePrefix}-alarms`));
      expect(input<unknown[]>(budget, 'notifications')).toEqual([
        expect.objectContaining({
          notificationType: 'ACTUAL',
          threshold: 80,
          thresholdType: 'PERCENTAGE',
          subscriberSnsTopicArns: [topic],
        }),
        expect.objectContaining({
          notificationType: 'FORECASTED',
          threshold: 100,
          thresholdType: 'PERCENTAGE',
          subscriberSnsTopicArns: [topic],
        }),
      ]);
    });
  });
}

/** The self-hosted Qdrant nodes' alarm name stems, as the program names them. */
function nodeNames(config: StackConfig): string[] {
  const nodes = config.vectorDb.mode === 'self-hosted' ? config.vectorDb.nodes : 0;
  return Array.from({ length: nodes }, (_, index) =>
    index === 0 ? 'qdrant' : `qdrant-${index + 1}`,
  );
}
