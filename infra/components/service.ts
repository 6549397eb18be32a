import { METRIC } from '@lorechat/contracts';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { policyDocument, serviceTrustPolicy, type PolicyStatement } from '../iam';
import { type ContainerSecret } from './secrets';

/** The container's name in the task definition; the ingest job overrides its command by it. */
export const CONTAINER_NAME = 'lorechat';

/** Writable paths on an otherwise read-only root filesystem, each a task-scoped volume. */
export const WRITABLE_PATHS = { data: '/data', tmp: '/tmp' } as const;

/** The image's unprivileged `node` user (see backend/Dockerfile). */
export const CONTAINER_USER = '1000:1000';

/** Scale out within a minute of pressure, scale in only after five calm minutes. */
export const SCALE_OUT_COOLDOWN_SECONDS = 60;
export const SCALE_IN_COOLDOWN_SECONDS = 300;

export interface CapacitySettings {
  /** Tasks that always run on regular (on-demand) Fargate, whatever Spot does. */
  onDemandBase: number;
  /** Beyond the base, the share of tasks placed on on-demand Fargate… */
  onDemandWeight: number;
  /** …and on Fargate Spot. */
  spotWeight: number;
}

export interface ServiceArgs {
  subnetIds: pulumi.Input<string[]>;
  securityGroupId: pulumi.Input<string>;
  image: pulumi.Input<string>;
  /** The ECR repository the image comes from, when it is one: the only one the tasks may pull. */
  imageRepositoryArn?: pulumi.Input<string>;
  containerPort: number;
  cpu: number;
  memory: number;
  minTasks: number;
  maxTasks: number;
  capacity: CapacitySettings;
  cpuTargetPercent: number;
  requestsPerTargetPerMinute: number;
  connectionsPerTask: number;
  /** Where the backend's `ActiveConnections` metric lives, for scaling on connections. */
  connectionsMetric: { namespace: string; environment: string };
  stopTimeoutSeconds: number;
  logRetentionDays: number;
  environment: Record<string, pulumi.Input<string>>;
  secrets: ContainerSecret[];
  /** Bedrock model or inference-profile ARNs the application may invoke. */
  bedrockResourceArns: pulumi.Input<string>[];
  targetGroupArn: pulumi.Input<string>;
  /** `app/…/targetgroup/…`, for scaling on requests per task. */
  requestCountResourceLabel: pulumi.Input<string>;
}

/**
 * LoreChat on ECS Fargate: an ARM64 task with a read-only root filesystem running as a non-root
 * user, spread over Fargate and Fargate Spot by the stack's strategy, registered with the load
 * balancer, rolled back automatically when a deployment fails, and scaled on CPU and requests.
 */
export class Service extends pulumi.ComponentResource {
  readonly clusterName: pulumi.Output<string>;
  readonly clusterArn: pulumi.Output<string>;
  readonly serviceName: pulumi.Output<string>;
  readonly taskDefinitionFamily: pulumi.Output<string>;
  readonly logGroupName: pulumi.Output<string>;
  /** What a scheduled task of the same image (the ingest job) runs with. */
  readonly taskDefinitionArn: pulumi.Output<string>;
  readonly executionRoleArn: pulumi.Output<string>;
  readonly taskRoleArn: pulumi.Output<string>;
  /** Further scaling policies (such as on active connections) attach here. */
  readonly scalableTarget: aws.appautoscaling.Target;

  constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super('lorechat:service:Service', name, {}, opts);

    const cluster = new aws.ecs.Cluster(
      `${name}-cluster`,
      { settings: [{ name: 'containerInsights', value: 'enabled' }] },
      { parent: this },
    );
    const strategy = capacityProviderStrategy(args.capacity);
    const capacityProviders = new aws.ecs.ClusterCapacityProviders(
      `${name}-cluster`,
      {
        clusterName: cluster.name,
        capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
        defaultCapacityProviderStrategies: strategy,
      },
      { parent: this },
    );

    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-service`,
      { name: `/${name}/service`, retentionInDays: args.logRetentionDays },
      { parent: this },
    );

    const { executionRole, taskRole } = createTaskRoles(
      name,
      {
        executionDescription:
          'Starts LoreChat tasks: pulls the image, writes logs, reads the secrets',
        taskDescription: 'What LoreChat itself may call in AWS',
        imageRepositoryArn: args.imageRepositoryArn,
        logGroupArn: logGroup.arn,
        secrets: args.secrets,
        bedrockResourceArns: args.bedrockResourceArns,
      },
      this,
    );

    const taskDefinition = new aws.ecs.TaskDefinition(
      `${name}-task`,
      {
        family: name,
        ...fargateTaskShape({ cpu: args.cpu, memory: args.memory, executionRole, taskRole }),
        containerDefinitions: pulumi.jsonStringify([
          containerDefinition({
            image: args.image,
            containerPort: args.containerPort,
            environment: args.environment,
            secrets: args.secrets,
            stopTimeoutSeconds: args.stopTimeoutSeconds,
            logGroupName: logGroup.name,
            region: aws.getRegionOutput({}, { parent: this }).region,
          }),
        ]),
      },
      { parent: this },
    );

    const service = new aws.ecs.Service(
      `${name}-service`,
      {
        cluster: cluster.arn,
        taskDefinition: taskDefinition.arn,
        desiredCount: args.minTasks,
        capacityProviderStrategies: strategy,
        platformVersion: 'LATEST',
        networkConfiguration: {
          subnets: args.subnetIds,
          securityGroups: [args.securityGroupId],
          // Public subnets without NAT: the public IP is how tasks reach ECR and AWS APIs.
          assignPublicIp: true,
        },
        loadBalancers: [
          {
            targetGroupArn: args.targetGroupArn,
            containerName: CONTAINER_NAME,
            containerPort: args.containerPort,
          },
        ],
        // A first task may start before Qdrant has finished its first boot.
        healthCheckGracePeriodSeconds: 120,
        deploymentMinimumHealthyPercent: 100,
        deploymentMaximumPercent: 200,
        deploymentCircuitBreaker: { enable: true, rollback: true },
        // Spot reclaims tasks unevenly; rebalancing keeps them spread over the zones.
        availabilityZoneRebalancing: 'ENABLED',
        propagateTags: 'SERVICE',
        enableEcsManagedTags: true,
        waitForSteadyState: true,
      },
      {
        parent: this,
        dependsOn: [capacityProviders],
        // Auto-scaling owns the task count once the service exists.
        ignoreChanges: ['desiredCount'],
      },
    );

    const resourceId = pulumi.interpolate`service/${cluster.name}/${service.name}`;
    this.scalableTarget = new aws.appautoscaling.Target(
      `${name}-scaling`,
      {
        serviceNamespace: 'ecs',
        scalableDimension: 'ecs:service:DesiredCount',
        resourceId,
        minCapacity: args.minTasks,
        maxCapacity: args.maxTasks,
      },
      { parent: this },
    );
    const scalingPolicies = targetTrackingPolicies({
      cpuTargetPercent: args.cpuTargetPercent,
      requestsPerTargetPerMinute: args.requestsPerTargetPerMinute,
      requestCountResourceLabel: args.requestCountResourceLabel,
      connectionsPerTask: args.connectionsPerTask,
      connectionsMetric: args.connectionsMetric,
    });
    for (const [policyName, configuration] of Object.entries(scalingPolicies)) {
      new aws.appautoscaling.Policy(
        `${name}-${policyName}`,
        {
          policyType: 'TargetTrackingScaling',
          serviceNamespace: this.scalableTarget.serviceNamespace,
          scalableDimension: this.scalableTarget.scalableDimension,
          resourceId: this.scalableTarget.resourceId,
          targetTrackingScalingPolicyConfiguration: configuration,
        },
        { parent: this },
      );
    }

    this.clusterName = cluster.name;
    this.clusterArn = cluster.arn;
    this.serviceName = service.name;
    this.taskDefinitionFamily = taskDefinition.family;
    this.logGroupName = logGroup.name;
    this.taskDefinitionArn = taskDefinition.arn;
    this.executionRoleArn = executionRole.arn;
    this.taskRoleArn = taskRole.arn;

    this.registerOutputs({
      clusterName: this.clusterName,
      serviceName: this.serviceName,
      taskDefinitionFamily: this.taskDefinitionFamily,
      logGroupName: this.logGroupName,
    });
  }
}

/**
 * Where tasks run. On-demand Fargate appears only when the stack asks for a base or a weight, so
 * a stack with neither runs entirely on Spot.
 */
export function capacityProviderStrategy(
  capacity: CapacitySettings,
): { capacityProvider: string; base?: number; weight: number }[] {
  const strategy: { capacityProvider: string; base?: number; weight: number }[] = [];
  if (capacity.onDemandBase > 0 || capacity.onDemandWeight > 0) {
    strategy.push({
      capacityProvider: 'FARGATE',
      base: capacity.onDemandBase,
      weight: capacity.onDemandWeight,
    });
  }
  if (capacity.spotWeight > 0) {
    strategy.push({ capacityProvider: 'FARGATE_SPOT', weight: capacity.spotWeight });
  }
  return strategy;
}

export interface ContainerDefinitionArgs {
  image: pulumi.Input<string>;
  /** Replaces the image's command: the ingest job runs the CLI instead of the server. */
  command?: string[];
  /** Names the log streams: `service/…` for the server, `ingest/…` for the job. */
  logStreamPrefix?: string;
  containerPort: number;
  environment: Record<string, pulumi.Input<string>>;
  secrets: ContainerSecret[];
  stopTimeoutSeconds: number;
  logGroupName: pulumi.Input<string>;
  region: pulumi.Input<string>;
}

/**
 * The LoreChat container. Configuration arrives as environment variables, secrets only through
 * `secrets` (resolved by ECS from Secrets Manager, never visible in the task definition). The
 * stop timeout gives a task Spot's full two-minute warning to finish the answers in flight.
 */
export function containerDefinition(args: ContainerDefinitionArgs): Record<string, unknown> {
  return {
    name: CONTAINER_NAME,
    image: args.image,
    ...(args.command ? { command: args.command } : {}),
    essential: true,
    user: CONTAINER_USER,
    readonlyRootFilesystem: true,
    portMappings: [{ containerPort: args.containerPort, protocol: 'tcp' }],
    environment: Object.entries(args.environment)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([name, value]) => ({ name, value })),
    secrets: args.secrets.map(({ name, valueFrom }) => ({ name, valueFrom })),
    mountPoints: Object.entries(WRITABLE_PATHS).map(([volume, path]) => ({
      sourceVolume: volume,
      containerPath: path,
      readOnly: false,
    })),
    // An init process forwards SIGTERM to Node and reaps zombies.
    linuxParameters: { initProcessEnabled: true },
    stopTimeout: args.stopTimeoutSeconds,
    logConfiguration: {
      logDriver: 'awslogs',
      options: {
        'awslogs-group': args.logGroupName,
        'awslogs-region': args.region,
        'awslogs-stream-prefix': args.logStreamPrefix ?? 'service',
        // A slow log pipe must never stall the chat; drop lines rather than block.
        mode: 'non-blocking',
        'max-buffer-size': '4m',
      },
    },
  };
}

/**
 * What every LoreChat task definition shares: Fargate on ARM64 (the architecture the image is built
 * for), the task's size, its two roles and the scratch volumes behind the read-only root filesystem.
 */
export function fargateTaskShape(args: {
  cpu: number;
  memory: number;
  executionRole: aws.iam.Role;
  taskRole: aws.iam.Role;
}): Pick<
  aws.ecs.TaskDefinitionArgs,
  | 'requiresCompatibilities'
  | 'networkMode'
  | 'cpu'
  | 'memory'
  | 'runtimePlatform'
  | 'executionRoleArn'
  | 'taskRoleArn'
  | 'volumes'
> {
  return {
    requiresCompatibilities: ['FARGATE'],
    networkMode: 'awsvpc',
    cpu: String(args.cpu),
    memory: String(args.memory),
    runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
    executionRoleArn: args.executionRole.arn,
    taskRoleArn: args.taskRole.arn,
    volumes: Object.keys(WRITABLE_PATHS).map((volume) => ({ name: volume })),
  };
}

export interface TaskRolesArgs {
  executionDescription: string;
  taskDescription: string;
  /** The ECR repository to pull from; none for a prebuilt public image. */
  imageRepositoryArn?: pulumi.Input<string>;
  logGroupArn: pulumi.Input<string>;
  secrets: ContainerSecret[];
  bedrockResourceArns: pulumi.Input<string>[];
}

/**
 * The two roles every LoreChat task definition needs: the execution role ECS uses to start it
 * (pull this image, write this log group, read these secrets only) and the task role the code runs
 * as (Bedrock on the configured models only). Shared by the service and the ingest job, so both
 * stay equally narrow. Resources are named `<prefix>-execution`, `<prefix>-task`, `<prefix>-task-bedrock`.
 */
export function createTaskRoles(
  prefix: string,
  args: TaskRolesArgs,
  parent: pulumi.Resource,
): { executionRole: aws.iam.Role; taskRole: aws.iam.Role } {
  const executionRole = new aws.iam.Role(
    `${prefix}-execution`,
    {
      description: args.executionDescription,
      assumeRolePolicy: serviceTrustPolicy('ecs-tasks.amazonaws.com'),
    },
    { parent },
  );
  new aws.iam.RolePolicy(
    `${prefix}-execution`,
    {
      role: executionRole.id,
      policy: policyDocument(
        executionStatements({
          imageRepositoryArn: args.imageRepositoryArn,
          logGroupArn: args.logGroupArn,
          secretArns: args.secrets.map((secret) => secret.secretArn),
        }),
      ),
    },
    { parent },
  );
  const taskRole = new aws.iam.Role(
    `${prefix}-task`,
    {
      description: args.taskDescription,
      assumeRolePolicy: serviceTrustPolicy('ecs-tasks.amazonaws.com'),
    },
    { parent },
  );
  if (args.bedrockResourceArns.length > 0) {
    new aws.iam.RolePolicy(
      `${prefix}-task-bedrock`,
      { role: taskRole.id, policy: policyDocument(bedrockStatements(args.bedrockResourceArns)) },
      { parent },
    );
  }
  return { executionRole, taskRole };
}

/** What ECS needs to start a task: this image, this log group, these secrets. */
export function executionStatements(args: {
  imageRepositoryArn?: pulumi.Input<string>;
  logGroupArn: pulumi.Input<string>;
  secretArns: pulumi.Input<string>[];
}): PolicyStatement[] {
  const statements: PolicyStatement[] = [
    {
      Sid: 'WriteLogs',
      Effect: 'Allow',
      Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
      Resource: pulumi.interpolate`${args.logGroupArn}:*`,
    },
  ];
  if (args.imageRepositoryArn) {
    statements.push(
      // ECR issues registry tokens account-wide; the pull itself is limited to one repository.
      { Sid: 'RegistryLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
      {
        Sid: 'PullImage',
        Effect: 'Allow',
        Action: [
          'ecr:BatchGetImage',
          'ecr:GetDownloadUrlForLayer',
          'ecr:BatchCheckLayerAvailability',
        ],
        Resource: args.imageRepositoryArn,
      },
    );
  }
  if (args.secretArns.length > 0) {
    statements.push({
      Sid: 'ReadSecrets',
      Effect: 'Allow',
      Action: 'secretsmanager:GetSecretValue',
      Resource: uniqueInputs(args.secretArns),
    });
  }
  return statements;
}

/** Invoke (and stream from) the configured Bedrock models only. */
export function bedrockStatements(resourceArns: pulumi.Input<string>[]): PolicyStatement[] {
  return [
    {
      Sid: 'InvokeConfiguredModels',
      Effect: 'Allow',
      Action: ['bedrock:InvokeModel', 'bedrock:InvokeModelWithResponseStream'],
      Resource: resourceArns,
    },
  ];
}

/**
 * Target tracking on CPU, on requests per task and on open chat connections per task, scaling in
 * slower than out. Application Auto Scaling scales out when any policy asks and in only when all
 * agree. Connections matter apart from requests because a WebSocket is one request that can stay
 * open for an hour.
 */
export function targetTrackingPolicies(args: {
  cpuTargetPercent: number;
  requestsPerTargetPerMinute: number;
  requestCountResourceLabel: pulumi.Input<string>;
  connectionsPerTask: number;
  connectionsMetric: { namespace: string; environment: string };
}): Record<string, aws.types.input.appautoscaling.PolicyTargetTrackingScalingPolicyConfiguration> {
  const cooldowns = {
    scaleOutCooldown: SCALE_OUT_COOLDOWN_SECONDS,
    scaleInCooldown: SCALE_IN_COOLDOWN_SECONDS,
  };
  return {
    cpu: {
      targetValue: args.cpuTargetPercent,
      predefinedMetricSpecification: {
        predefinedMetricType: 'ECSServiceAverageCPUUtilization',
      },
      ...cooldowns,
    },
    requests: {
      targetValue: args.requestsPerTargetPerMinute,
      predefinedMetricSpecification: {
        predefinedMetricType: 'ALBRequestCountPerTarget',
        resourceLabel: args.requestCountResourceLabel,
      },
      ...cooldowns,
    },
    connections: {
      targetValue: args.connectionsPerTask,
      // Each task reports its own count every minute, so the average is the count per task.
      customizedMetricSpecification: {
        namespace: args.connectionsMetric.namespace,
        metricName: METRIC.activeConnections,
        dimensions: [{ name: 'Environment', value: args.connectionsMetric.environment }],
        statistic: 'Average',
      },
      ...cooldowns,
    },
  };
}

/** Several secrets can share one Secrets Manager secret; list each ARN once. */
function uniqueInputs(values: pulumi.Input<string>[]): pulumi.Output<string[]> {
  return pulumi.all(values).apply((resolved) => [...new Set(resolved)].sort());
}
