import { METRICS_NAMESPACE } from '../../../backend';
import { DASHBOARD_WIDGETS } from '../../../components/dashboard';
import { PROJECT } from '../../../config';
import { SIMULATED_ACCOUNT_ID } from '../../../simulation/mocks';
import { allOf, arnOf, input, oneOf, type PolicyDocument } from '../recorded';
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
        'tasks-below-desired',
        'cpu-high',
        'memory-high',
        'first-token-p95',
        'provider-error-rate',
        'qdrant-status',
        'waf-blocked',
        'ingest-failed',
      ];
      const regional = arnOf(oneOf(run, 'aws:sns/topic:Topic', `${config.resourcePrefix}-alarms`));
      for (const suffix of expected) {
        const actions = input<string[]>(alarm(suffix), 'alarmActions');
        if (suffix === 'waf-blocked') continue;
        expect([suffix, actions]).toEqual([suffix, [regional]]);
      }
      // Only the Qdrant recovery alarm acts on EC2 instead of notifying.
      expect(alarms()).toHaveLength(expected.length + 1);
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

    it('watches the WAF in us-east-1, where CloudFront-scope metrics are published', () => {
      const provider = oneOf(run, 'pulumi:providers:aws');
      const waf = alarm('waf-blocked');
      expect(waf.provider).toContain(`pulumi:providers:aws::${provider.name}::`);
      expect(waf.inputs).toMatchObject({
        namespace: 'AWS/WAFV2',
        metricName: 'BlockedRequests',
        dimensions: { Rule: 'ALL' },
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
      expect(body.widgets.map((widget) => widget.properties.title)).toEqual([...DASHBOARD_WIDGETS]);
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
