import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { policyDocument, serviceTrustPolicy, type PolicyStatement } from '../iam';
import { type ContainerSecret } from './secrets';

/**
 * What every LoreChat task definition shares, the service's and the ingest job's: the container,
 * the Fargate task shape and the two narrow roles.
 */

/** The container's name in the task definition; the ingest job overrides its command by it. */
export const CONTAINER_NAME = 'lorechat';

/** Writable paths on an otherwise read-only root filesystem, each a task-scoped volume. */
export const WRITABLE_PATHS = { data: '/data', tmp: '/tmp' } as const;

/** The image's unprivileged `node` user (see backend/Dockerfile). */
export const CONTAINER_USER = '1000:1000';

export interface ContainerDefinitionArgs {
  image: pulumi.Input<string>;
  /** Replaces the image's command: the ingest job runs the CLI instead of the server. */
  command?: string[];
  /** Names the log streams: `service/…` for the server, `ingest/…` for the job. */
  logStreamPrefix?: string;
  /** The server's liveness path, which ECS checks inside the task; none for the ingest job. */
  livenessPath?: string;
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
    ...(args.livenessPath
      ? { healthCheck: livenessCheck(args.containerPort, args.livenessPath) }
      : {}),
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
 * ECS's check inside the task: the liveness path, fetched by Node itself (the slim image has no
 * HTTP client). Liveness only: a dependency that is down makes the server degraded, not dead, and
 * replacing the task would not bring the dependency back.
 */
export function livenessCheck(port: number, path: string): Record<string, unknown> {
  const url = `http://127.0.0.1:${port}${path}`;
  return {
    command: [
      'CMD',
      'node',
      '-e',
      `fetch('${url}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
    ],
    interval: 30,
    timeout: 5,
    retries: 3,
    // Time to start before a failed check counts: the server opens its stores first.
    startPeriod: 60,
  };
}

/** The repository ARN of an ECR image reference, or undefined for any other registry. */
export function ecrRepositoryArn(imageUri: string): string | undefined {
  const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([^:@]+)/.exec(imageUri);
  if (!match) return undefined;
  const [, account, region, repository] = match;
  return `arn:aws:ecr:${region}:${account}:repository/${repository}`;
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
  /** SendEmail for handoffs, from one sender: none when the stack sends no handoff e-mail. */
  sesSendStatements?: PolicyStatement[];
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
  if (args.sesSendStatements) {
    new aws.iam.RolePolicy(
      `${prefix}-task-ses`,
      { role: taskRole.id, policy: policyDocument(args.sesSendStatements) },
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

/** Several secrets can share one Secrets Manager secret; list each ARN once. */
function uniqueInputs(values: pulumi.Input<string>[]): pulumi.Output<string[]> {
  return pulumi.all(values).apply((resolved) => [...new Set(resolved)].sort());
}
