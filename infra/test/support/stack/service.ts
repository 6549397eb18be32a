import { ENVIRONMENT_VARIABLES, METRIC, METRICS_NAMESPACE } from '@lorechat/contracts';
import { BACKEND_PORT } from '../../../backend';
import { SCALE_IN_COOLDOWN_SECONDS, SCALE_OUT_COOLDOWN_SECONDS } from '../../../components/service';
import { SIMULATED_ACCOUNT_ID } from '../../../simulation/mocks';
import {
  allOf,
  arnOf,
  asList,
  container,
  input,
  oneOf,
  isSecret,
  rolePolicy,
  taskDefinitionOf,
} from '../recorded';
import { PROJECT } from '../../../config';
import { type ProgramRun } from '../../../simulation/runProgram';
import { type StackContext } from './context';

/** The ECS service: capacity, the task, its secrets and environment, logs, scaling, permissions. */
export function describeService(context: StackContext): void {
  const { stack, shape, config, securityGroupId } = context;
  let run: ProgramRun;
  beforeAll(() => {
    run = context.run();
  });
  describe('service', () => {
    it('places tasks on Fargate and Fargate Spot as the stack says', () => {
      const { onDemandBase, onDemandWeight, spotWeight } = config.service.capacity;
      const expected =
        shape.spot === 'all'
          ? [{ capacityProvider: 'FARGATE_SPOT', weight: spotWeight }]
          : [
              { capacityProvider: 'FARGATE', base: onDemandBase, weight: onDemandWeight },
              { capacityProvider: 'FARGATE_SPOT', weight: spotWeight },
            ];
      expect(oneOf(run, 'aws:ecs/service:Service').inputs.capacityProviderStrategies).toEqual(
        expected,
      );
      expect(
        oneOf(run, 'aws:ecs/clusterCapacityProviders:ClusterCapacityProviders').inputs,
      ).toMatchObject({
        capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
        defaultCapacityProviderStrategies: expected,
      });
    });

    it('runs Container Insights as the stack says, rolls back failed deployments, waits for steady state', () => {
      expect(oneOf(run, 'aws:ecs/cluster:Cluster').inputs.settings).toEqual([
        {
          name: 'containerInsights',
          value: config.service.containerInsights ? 'enabled' : 'disabled',
        },
      ]);
      expect(oneOf(run, 'aws:ecs/service:Service').inputs).toMatchObject({
        deploymentCircuitBreaker: { enable: true, rollback: true },
        waitForSteadyState: true,
        desiredCount: config.service.minTasks,
        networkConfiguration: expect.objectContaining({
          securityGroups: [securityGroupId('service')],
          assignPublicIp: true,
        }),
      });
    });

    it('runs an ARM64 task as a non-root user on a read-only root filesystem', () => {
      const taskDefinition = taskDefinitionOf(run);
      expect(taskDefinition.inputs).toMatchObject({
        requiresCompatibilities: ['FARGATE'],
        networkMode: 'awsvpc',
        cpu: String(config.service.cpu),
        memory: String(config.service.memory),
        runtimePlatform: { cpuArchitecture: 'ARM64', operatingSystemFamily: 'LINUX' },
      });
      const definition = container(run);
      expect(definition.user).toBe('1000:1000');
      expect(definition.readonlyRootFilesystem).toBe(true);
      expect(definition.mountPoints.map((mount) => mount.containerPath).sort()).toEqual([
        '/data',
        '/tmp',
      ]);
      expect(definition.portMappings).toEqual([
        expect.objectContaining({ containerPort: BACKEND_PORT }),
      ]);
    });

    it('hands every secret over through `secrets`, never `environment`', () => {
      const definition = container(run);
      const secretValues = run.resources
        .filter((resource) => resource.type === 'random:index/randomPassword:RandomPassword')
        .map((resource) => String(resource.outputs.result));
      for (const { value } of definition.environment) {
        for (const secret of secretValues) expect(value).not.toContain(secret);
        expect(value).not.toContain('simulated-secret');
      }
      const expectedSecrets = [
        'ADMIN_TOKEN',
        'DATABASE_URL',
        'QDRANT_API_KEY',
        'VISITOR_TOKEN_SECRET',
        ...(shape.redis ? ['REDIS_URL'] : []),
      ];
      expect(definition.secrets.map((secret) => secret.name).sort()).toEqual(
        expectedSecrets.sort(),
      );
      const secretArns = allOf(run, 'aws:secretsmanager/secret:Secret').map(arnOf);
      for (const secret of definition.secrets) {
        // `<secret ARN>:<JSON key>::<version id>`: pinned, so a new value rolls the tasks.
        const [, secretArn, key, versionId] =
          /^(arn:aws:secretsmanager:.+):([A-Z_]+)::([0-9a-f-]{36})$/.exec(secret.valueFrom) ?? [];
        expect([secret.name, key]).toEqual([secret.name, secret.name]);
        expect(secretArns).toContain(secretArn);
        const versions = allOf(run, 'aws:secretsmanager/secretVersion:SecretVersion').filter(
          (version) => version.inputs.secretId === secretArn,
        );
        expect(versions.map((version) => version.outputs.versionId)).toEqual([versionId]);
      }
      for (const version of allOf(run, 'aws:secretsmanager/secretVersion:SecretVersion')) {
        expect(isSecret(version.inputs.secretString)).toBe(true);
      }
      const readSecrets = rolePolicy(run, `${config.resourcePrefix}-execution`).Statement.find(
        (statement) => statement.Sid === 'ReadSecrets',
      );
      expect(asList(readSecrets?.Resource ?? [])).toEqual([...secretArns].sort());
    });

    it('sets only variables the backend reads (and documents)', () => {
      const documented: readonly string[] = ENVIRONMENT_VARIABLES;
      const definition = container(run);
      const names = [...definition.environment, ...definition.secrets].map(
        (variable) => variable.name,
      );
      for (const name of names) expect(documented).toContain(name);
      const environment = Object.fromEntries(
        definition.environment.map(({ name, value }) => [name, value]),
      );
      expect(environment).toMatchObject({
        PORT: String(BACKEND_PORT),
        PUBLIC_URL: run.outputs.siteUrl,
        LORECHAT_DOCS_DIR: '',
        LLM_PROVIDER: config.llm.provider,
        AWS_REGION: config.region,
        VECTOR_STORE: 'qdrant',
        QDRANT_URL: allOf(run, 'aws:ec2/instance:Instance')
          .map((instance) => `http://${String(instance.outputs.privateIp)}:6333`)
          .join(','),
        TRUST_PROXY_HOPS: '2',
        SITES: expect.stringMatching(
          new RegExp(`^${config.siteKey}=${new URL(run.outputs.siteUrl as string).origin}`),
        ),
      });
    });

    it('logs to CloudWatch without blocking, with the stack retention on every log group', () => {
      const options = container(run).logConfiguration.options;
      expect(options).toMatchObject({
        'awslogs-group': `/${config.resourcePrefix}/service`,
        'awslogs-region': config.region,
        mode: 'non-blocking',
      });
      for (const group of allOf(run, 'aws:cloudwatch/logGroup:LogGroup')) {
        expect(group.inputs.retentionInDays).toBe(config.logRetentionDays);
      }
    });

    it('scales between the stack bounds on CPU, requests and connections, in slower than out', () => {
      expect(oneOf(run, 'aws:appautoscaling/target:Target').inputs).toMatchObject({
        minCapacity: config.service.minTasks,
        maxCapacity: config.service.maxTasks,
        scalableDimension: 'ecs:service:DesiredCount',
      });
      const policies = allOf(run, 'aws:appautoscaling/policy:Policy').map((policy) =>
        input<{
          targetValue: number;
          scaleInCooldown: number;
          scaleOutCooldown: number;
          predefinedMetricSpecification?: {
            predefinedMetricType: string;
            resourceLabel?: string;
          };
          customizedMetricSpecification?: Record<string, unknown>;
        }>(policy, 'targetTrackingScalingPolicyConfiguration'),
      );
      expect(
        policies
          .map(
            (policy) =>
              policy.predefinedMetricSpecification?.predefinedMetricType ??
              policy.customizedMetricSpecification?.metricName,
          )
          .sort(),
      ).toEqual([
        'ALBRequestCountPerTarget',
        METRIC.activeConnections,
        'ECSServiceAverageCPUUtilization',
      ]);
      const connections = policies.find((policy) => policy.customizedMetricSpecification);
      expect(connections).toMatchObject({
        targetValue: config.service.connectionsPerTask,
        customizedMetricSpecification: {
          namespace: METRICS_NAMESPACE,
          metricName: METRIC.activeConnections,
          dimensions: [{ name: 'Environment', value: stack }],
          statistic: 'Average',
        },
      });
      for (const policy of policies) {
        expect(policy.scaleInCooldown).toBe(SCALE_IN_COOLDOWN_SECONDS);
        expect(policy.scaleOutCooldown).toBe(SCALE_OUT_COOLDOWN_SECONDS);
      }
      expect(SCALE_IN_COOLDOWN_SECONDS).toBeGreaterThan(SCALE_OUT_COOLDOWN_SECONDS);
      const requests = policies.find(
        (policy) =>
          policy.predefinedMetricSpecification?.predefinedMetricType === 'ALBRequestCountPerTarget',
      );
      expect(requests?.targetValue).toBe(config.service.requestsPerTargetPerMinute);
      expect(requests?.predefinedMetricSpecification?.resourceLabel).toMatch(
        /^app\/.+\/targetgroup\/.+/,
      );
    });

    it('answers through a tagged application inference profile, and may call only it and its models', () => {
      const bedrock = run.resources.filter(
        (resource) =>
          resource.type === 'aws:iam/rolePolicy:RolePolicy' &&
          resource.name.endsWith('-task-bedrock'),
      );
      if (!shape.bedrock) {
        expect(bedrock).toEqual([]);
        return;
      }
      const [statement] = rolePolicy(run, `${config.resourcePrefix}-task-bedrock`).Statement;
      expect(statement?.Action).toEqual([
        'bedrock:InvokeModel',
        'bedrock:InvokeModelWithResponseStream',
      ]);
      const model = config.llm.model ?? '';
      const profile = oneOf(run, 'aws:bedrock/inferenceProfile:InferenceProfile');
      // Bedrock bills calls through the profile under its tags: the stack's budget sees them.
      expect(profile.inputs.tagsAll).toMatchObject({ Project: PROJECT, Environment: config.stack });
      expect(profile.inputs.modelSource).toEqual({
        copyFrom: `arn:aws:bedrock:${config.region}:${SIMULATED_ACCOUNT_ID}:inference-profile/${model}`,
      });
      expect(asList(statement?.Resource ?? [])).toEqual([
        arnOf(profile),
        `arn:aws:bedrock:${config.region}:${SIMULATED_ACCOUNT_ID}:inference-profile/${model}`,
        `arn:aws:bedrock:*::foundation-model/${model.replace(/^\w+\./, '')}`,
      ]);
    });

    it('grants no IAM action on every resource, and no wildcard action at all', () => {
      for (const policy of allOf(run, 'aws:iam/rolePolicy:RolePolicy')) {
        const document = JSON.parse(input<string>(policy, 'policy')) as {
          Statement: { Action: string | string[]; Resource: string | string[] }[];
        };
        for (const statement of document.Statement) {
          const actions = asList(statement.Action);
          expect(actions.some((action) => action.includes('*'))).toBe(false);
          if (asList(statement.Resource).includes('*')) {
            expect(actions).toEqual(['ecr:GetAuthorizationToken']);
          }
        }
      }
    });
  });
}
