import { INGEST_COMMAND } from '../../../backend';
import { SIMULATED_ACCOUNT_ID } from '../../../simulation/mocks';
import { arnOf, container, input, oneOf, rolePolicy, taskDefinitionOf } from '../recorded';
import { type ProgramRun } from '../../../simulation/runProgram';
import { type StackContext } from './context';

/** The scheduled ingest job. */
export function describeIngest(context: StackContext): void {
  const { config, securityGroupId } = context;
  let run: ProgramRun;
  beforeAll(() => {
    run = context.run();
  });
  describe('scheduled ingest', () => {
    const family = `${config.resourcePrefix}-ingest`;

    it('runs the same image with the ingest command on the configured schedule', () => {
      const ingest = container(run, family);
      expect(ingest.image).toBe(container(run).image);
      expect(ingest.command).toEqual([...INGEST_COMMAND, config.ingestSiteUrl]);
      expect(ingest.logConfiguration.options).toMatchObject({
        'awslogs-group': `/${family.replace('-ingest', '')}/ingest`,
        'awslogs-stream-prefix': 'ingest',
      });
      const schedule = oneOf(run, 'aws:scheduler/schedule:Schedule');
      expect(schedule.inputs).toMatchObject({
        scheduleExpression: config.ingestSchedule,
        scheduleExpressionTimezone: 'UTC',
        target: expect.objectContaining({
          arn: arnOf(oneOf(run, 'aws:ecs/cluster:Cluster')),
          ecsParameters: expect.objectContaining({
            taskDefinitionArn: arnOf(taskDefinitionOf(run, family)),
            capacityProviderStrategies: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
            networkConfiguration: expect.objectContaining({
              securityGroups: [securityGroupId('service')],
            }),
          }),
        }),
      });
      expect(run.outputs.ingestScheduleName).toBe(schedule.outputs.name);
    });

    it('has roles of its own: the scheduler may only run this task and pass its two roles', () => {
      const ingestDefinition = taskDefinitionOf(run, family);
      const roleArn = (name: string) => arnOf(oneOf(run, 'aws:iam/role:Role', name));
      expect(ingestDefinition.inputs).toMatchObject({
        executionRoleArn: roleArn(`${config.resourcePrefix}-ingest-execution`),
        taskRoleArn: roleArn(`${config.resourcePrefix}-ingest-task`),
      });
      const scheduler = oneOf(
        run,
        'aws:iam/role:Role',
        `${config.resourcePrefix}-ingest-scheduler`,
      );
      expect(JSON.parse(input<string>(scheduler, 'assumeRolePolicy'))).toMatchObject({
        Statement: [
          expect.objectContaining({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': SIMULATED_ACCOUNT_ID } },
          }),
        ],
      });
      const statements = rolePolicy(run, `${config.resourcePrefix}-ingest-scheduler`).Statement;
      expect(statements.map((statement) => [statement.Action, statement.Resource])).toEqual([
        ['ecs:RunTask', arnOf(ingestDefinition).replace(/:\d+$/, ':*')],
        [
          'ecs:TagResource',
          `arn:aws:ecs:${config.region}:${SIMULATED_ACCOUNT_ID}:task/${String(oneOf(run, 'aws:ecs/cluster:Cluster').outputs.name)}/*`,
        ],
        [
          'iam:PassRole',
          [
            roleArn(`${config.resourcePrefix}-ingest-execution`),
            roleArn(`${config.resourcePrefix}-ingest-task`),
          ],
        ],
        ['sqs:SendMessage', arnOf(oneOf(run, 'aws:sqs/queue:Queue'))],
      ]);
      const logs = rolePolicy(run, `${config.resourcePrefix}-ingest-execution`).Statement.find(
        (statement) => statement.Sid === 'WriteLogs',
      );
      expect(logs?.Resource).toBe(
        `${arnOf(oneOf(run, 'aws:cloudwatch/logGroup:LogGroup', `${config.resourcePrefix}-ingest`))}:*`,
      );
    });

    it('alarms when a run fails, from the ECS task state change of its family', () => {
      const rule = oneOf(run, 'aws:cloudwatch/eventRule:EventRule');
      const pattern = JSON.parse(input<string>(rule, 'eventPattern')) as {
        detail: { group: string[] };
      };
      expect(pattern.detail.group).toEqual([`family:${family}`]);
      expect(
        oneOf(
          run,
          'aws:cloudwatch/metricAlarm:MetricAlarm',
          `${config.resourcePrefix}-ingest-failed`,
        ).inputs,
      ).toMatchObject({
        namespace: 'AWS/Events',
        metricName: 'TriggeredRules',
        dimensions: { RuleName: rule.outputs.name },
      });
      expect(oneOf(run, 'aws:cloudwatch/eventTarget:EventTarget').inputs.arn).toBe(
        arnOf(oneOf(run, 'aws:sns/topic:Topic', `${config.resourcePrefix}-alarms`)),
      );
    });
  });
}
