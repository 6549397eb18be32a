import { METRIC } from '@lorechat/contracts';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { type ContainerSecret } from './secrets';
import { type PolicyStatement } from '../iam';
import {
  CONTAINER_NAME,
  containerDefinition,
  createTaskRoles,
  ecrRepositoryArn,
  fargateTaskShape,
} from './task';

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
  /** The image by digest; the tasks may pull from its ECR repository only. */
  image: string;
  containerPort: number;
  /** The liveness path ECS checks inside each task. */
  livenessPath: string;
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
  /** Container Insights on the cluster (task counts, per-task metrics). */
  containerInsights: boolean;
  logRetentionDays: number;
  environment: Record<string, pulumi.Input<string>>;
  secrets: ContainerSecret[];
  /** Bedrock model or inference-profile ARNs the application may invoke. */
  bedrockResourceArns: pulumi.Input<string>[];
  /** SendEmail for handoffs from the configured sender; none without handoff e-mail. */
  sesSendStatements?: PolicyStatement[];
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
      {
        settings: [
          { name: 'containerInsights', value: args.containerInsights ? 'enabled' : 'disabled' },
        ],
      },
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
        imageRepositoryArn: ecrRepositoryArn(args.image),
        logGroupArn: logGroup.arn,
        secrets: args.secrets,
        bedrockResourceArns: args.bedrockResourceArns,
        sesSendStatements: args.sesSendStatements,
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
            livenessPath: args.livenessPath,
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
        // Lets a change of capacity strategy (the on-demand base, the Spot weights) update the
        // service in place with a new deployment; without it the provider replaces the service.
        forceNewDeployment: true,
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
