import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { policyDocument, type PolicyStatement } from '../iam';
import { type ContainerSecret } from './secrets';
import { containerDefinition, createTaskRoles, ecrRepositoryArn, fargateTaskShape } from './task';

export interface IngestJobArgs {
  /** The crawl: `node dist/cli.js ingest --site <url>`. */
  command: string[];
  schedule: string;
  clusterArn: pulumi.Input<string>;
  subnetIds: pulumi.Input<string[]>;
  /** The service's security group: the one Qdrant admits. */
  securityGroupId: pulumi.Input<string>;
  /** The service's image, by digest. */
  image: string;
  containerPort: number;
  cpu: number;
  memory: number;
  environment: Record<string, pulumi.Input<string>>;
  secrets: ContainerSecret[];
  /** Embedding models the crawl may invoke; empty unless embeddings come from Bedrock. */
  bedrockResourceArns: pulumi.Input<string>[];
  logRetentionDays: number;
  /** Failed runs are published here. */
  alarmTopicArn: pulumi.Input<string>;
}

/**
 * The ingest job: the service's image running the crawl instead of the server, as its own task
 * definition with its own roles and log group, started on a schedule by EventBridge Scheduler on
 * Fargate Spot (an interrupted crawl simply runs again the next night). A run that stops with a
 * non-zero exit code, or never starts, raises an alarm; so does an invocation the scheduler gives
 * up on, which lands in a dead-letter queue.
 */
export class IngestJob extends pulumi.ComponentResource {
  readonly taskDefinitionArn: pulumi.Output<string>;
  readonly logGroupName: pulumi.Output<string>;
  readonly scheduleName: pulumi.Output<string>;

  constructor(name: string, args: IngestJobArgs, opts?: pulumi.ComponentResourceOptions) {
    super('lorechat:ingestJob:IngestJob', name, {}, opts);

    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-ingest`,
      { name: `/${name}/ingest`, retentionInDays: args.logRetentionDays },
      { parent: this },
    );

    const { executionRole, taskRole } = createTaskRoles(
      `${name}-ingest`,
      {
        executionDescription:
          'Starts LoreChat ingest tasks: pulls the image, writes logs, reads secrets',
        taskDescription: 'What the LoreChat ingest job itself may call in AWS',
        imageRepositoryArn: ecrRepositoryArn(args.image),
        logGroupArn: logGroup.arn,
        secrets: args.secrets,
        bedrockResourceArns: args.bedrockResourceArns,
      },
      this,
    );

    const family = `${name}-ingest`;
    const taskDefinition = new aws.ecs.TaskDefinition(
      `${name}-ingest`,
      {
        family,
        ...fargateTaskShape({ cpu: args.cpu, memory: args.memory, executionRole, taskRole }),
        containerDefinitions: pulumi.jsonStringify([
          containerDefinition({
            image: args.image,
            command: args.command,
            containerPort: args.containerPort,
            environment: args.environment,
            secrets: args.secrets,
            stopTimeoutSeconds: 120,
            logGroupName: logGroup.name,
            logStreamPrefix: 'ingest',
            region: aws.getRegionOutput({}, { parent: this }).region,
          }),
        ]),
      },
      { parent: this },
    );

    // Runs the scheduler could not start even after its retries land here instead of vanishing.
    const deadLetters = new aws.sqs.Queue(
      `${name}-ingest-dead-letters`,
      { sqsManagedSseEnabled: true, messageRetentionSeconds: 14 * 24 * 60 * 60 },
      { parent: this },
    );

    const schedulerRole = new aws.iam.Role(
      `${name}-ingest-scheduler`,
      {
        description: 'EventBridge Scheduler: starts the LoreChat ingest task, nothing else',
        assumeRolePolicy: schedulerTrustPolicy(
          aws.getCallerIdentityOutput({}, { parent: this }).accountId,
        ),
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-ingest-scheduler`,
      {
        role: schedulerRole.id,
        policy: policyDocument(
          schedulerStatements({
            taskDefinitionArn: taskDefinition.arn,
            clusterArn: args.clusterArn,
            passRoleArns: [executionRole.arn, taskRole.arn],
            deadLetterQueueArn: deadLetters.arn,
          }),
        ),
      },
      { parent: this },
    );

    const schedule = new aws.scheduler.Schedule(
      `${name}-ingest`,
      {
        description: 'Re-crawls the site so answers follow its changes',
        scheduleExpression: args.schedule,
        scheduleExpressionTimezone: 'UTC',
        flexibleTimeWindow: { mode: 'FLEXIBLE', maximumWindowInMinutes: 30 },
        target: {
          arn: args.clusterArn,
          roleArn: schedulerRole.arn,
          ecsParameters: {
            taskDefinitionArn: taskDefinition.arn,
            taskCount: 1,
            capacityProviderStrategies: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
            networkConfiguration: {
              subnets: args.subnetIds,
              securityGroups: [args.securityGroupId],
              // Public subnets without NAT: the public IP is how the task reaches the site.
              assignPublicIp: true,
            },
            enableEcsManagedTags: true,
            propagateTags: 'TASK_DEFINITION',
          },
          retryPolicy: { maximumRetryAttempts: 3, maximumEventAgeInSeconds: 3600 },
          deadLetterConfig: { arn: deadLetters.arn },
        },
      },
      { parent: this },
    );

    // The crawl's exit code only shows in ECS's task state change events.
    const failures = new aws.cloudwatch.EventRule(
      `${name}-ingest-failed`,
      {
        description: 'A LoreChat ingest task stopped with a non-zero exit code or never started',
        eventPattern: JSON.stringify(ingestFailurePattern(family)),
      },
      { parent: this },
    );
    new aws.cloudwatch.EventTarget(
      `${name}-ingest-failed`,
      {
        rule: failures.name,
        arn: args.alarmTopicArn,
        inputTransformer: {
          inputPaths: {
            task: '$.detail.taskArn',
            reason: '$.detail.stoppedReason',
            exitCode: '$.detail.containers[0].exitCode',
          },
          inputTemplate: `"LoreChat ingest task <task> failed (exit code <exitCode>): <reason>. Logs: /${name}/ingest"`,
        },
      },
      { parent: this },
    );
    new aws.cloudwatch.MetricAlarm(
      `${name}-ingest-failed`,
      {
        alarmDescription: 'The scheduled ingest failed: answers may be stale',
        namespace: 'AWS/Events',
        metricName: 'TriggeredRules',
        dimensions: { RuleName: failures.name },
        statistic: 'Sum',
        period: 300,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
        alarmActions: [args.alarmTopicArn],
      },
      { parent: this },
    );

    new aws.cloudwatch.MetricAlarm(
      `${name}-ingest-not-started`,
      {
        alarmDescription:
          'EventBridge Scheduler could not start the ingest task, even after retries: see the dead-letter queue',
        namespace: 'AWS/SQS',
        metricName: 'ApproximateNumberOfMessagesVisible',
        dimensions: { QueueName: deadLetters.name },
        statistic: 'Maximum',
        period: 300,
        evaluationPeriods: 1,
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
        treatMissingData: 'notBreaching',
        alarmActions: [args.alarmTopicArn],
      },
      { parent: this },
    );

    this.taskDefinitionArn = taskDefinition.arn;
    this.logGroupName = logGroup.name;
    this.scheduleName = schedule.name;
    this.registerOutputs({
      taskDefinitionArn: this.taskDefinitionArn,
      logGroupName: this.logGroupName,
      scheduleName: this.scheduleName,
    });
  }
}

/** Only EventBridge Scheduler acting for this account may assume the role (no confused deputy). */
export function schedulerTrustPolicy(accountId: pulumi.Input<string>): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: 'scheduler.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: { StringEquals: { 'aws:SourceAccount': accountId } },
      },
    ],
  });
}

/**
 * Run this task definition (any revision of it) in this cluster, tag the task, hand the task its
 * two roles, to ECS only, and put a run it could not start into the dead-letter queue.
 */
export function schedulerStatements(args: {
  taskDefinitionArn: pulumi.Input<string>;
  clusterArn: pulumi.Input<string>;
  passRoleArns: pulumi.Input<string>[];
  deadLetterQueueArn: pulumi.Input<string>;
}): PolicyStatement[] {
  const anyRevision = pulumi
    .output(args.taskDefinitionArn)
    .apply((arn) => arn.replace(/:\d+$/, ':*'));
  // arn:aws:ecs:<region>:<account>:cluster/<name> → the tasks of that cluster.
  const clusterTasks = pulumi
    .output(args.clusterArn)
    .apply((arn) => `${arn.replace(':cluster/', ':task/')}/*`);
  return [
    {
      Sid: 'RunIngestTask',
      Effect: 'Allow',
      Action: 'ecs:RunTask',
      Resource: anyRevision,
      Condition: { ArnEquals: { 'ecs:cluster': args.clusterArn } },
    },
    {
      Sid: 'TagIngestTask',
      Effect: 'Allow',
      Action: 'ecs:TagResource',
      Resource: clusterTasks,
      Condition: { StringEquals: { 'ecs:CreateAction': 'RunTask' } },
    },
    {
      Sid: 'PassIngestRoles',
      Effect: 'Allow',
      Action: 'iam:PassRole',
      Resource: args.passRoleArns,
      Condition: { StringLike: { 'iam:PassedToService': 'ecs-tasks.amazonaws.com' } },
    },
    {
      Sid: 'DeadLetterFailedRuns',
      Effect: 'Allow',
      Action: 'sqs:SendMessage',
      Resource: args.deadLetterQueueArn,
    },
  ];
}

/** ECS task state changes of the ingest family that end in failure. */
export function ingestFailurePattern(family: string): Record<string, unknown> {
  return {
    source: ['aws.ecs'],
    'detail-type': ['ECS Task State Change'],
    detail: {
      group: [`family:${family}`],
      lastStatus: ['STOPPED'],
      $or: [
        { containers: { exitCode: [{ 'anything-but': 0 }] } },
        // Never started: the image could not be pulled, a secret could not be read, no capacity.
        { stopCode: ['TaskFailedToStart'] },
      ],
    },
  };
}
