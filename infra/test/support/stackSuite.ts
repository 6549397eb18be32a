import { ENVIRONMENT_VARIABLES, HEALTH_PATH, METRIC, METRICS_NAMESPACE } from '@lorechat/contracts';
import { BACKEND_PORT, INGEST_COMMAND } from '../../backend';
import {
  MANAGED_POLICY,
  ORIGIN_KEEPALIVE_SECONDS,
  ORIGIN_READ_TIMEOUT_SECONDS,
} from '../../components/edge';
import {
  CLOUDFRONT_ORIGIN_PREFIX_LIST,
  IDLE_TIMEOUT_SECONDS,
  ORIGIN_VERIFY_HEADER,
  TLS_POLICY,
} from '../../components/loadBalancer';
import { SCALE_IN_COOLDOWN_SECONDS, SCALE_OUT_COOLDOWN_SECONDS } from '../../components/service';
import { DASHBOARD_WIDGETS } from '../../components/monitoring';
import {
  PROJECT,
  SECRET_KEYS,
  parseStackConfig,
  type ConfigKey,
  type StackConfig,
} from '../../config';
import {
  SIMULATED_ACCOUNT_ID,
  SIMULATED_PREFIX_LIST_ID,
  type RecordedResource,
} from '../../simulation/mocks';
import { runProgram, type ProgramRun } from '../../simulation/runProgram';
import { REPOSITORY_ROOT, engineConfig } from '../../simulation/stackFiles';
import { TAGGABLE_TYPES } from '../../tagging';
import { policies as policyPack } from '../../policy/rules';
import { targetOf, violationsOf } from './policies';
import {
  allOf,
  arnOf,
  asList,
  container,
  declaresTags,
  input,
  oneOf,
  parentType,
  isSecret,
  rolePolicy,
  taskDefinitionOf,
  type PolicyDocument,
} from './recorded';

/** The shape DESIGN.md gives each stack, checked on top of "resources match the stack file". */
export interface StackShape {
  availabilityZones: number;
  /** `all`: no on-demand Fargate at all; `on-demand base`: at least one task off Spot. */
  spot: 'all' | 'on-demand base';
  deletionProtection: boolean;
  customDomain: boolean;
  redis: boolean;
  bedrock: boolean;
}

/** The configuration the stack file gives, validated the way the program validates it. */
export function stackConfigOf(stack: string): StackConfig {
  const { values, secretKeys } = engineConfig(stack);
  const lorechat: Partial<Record<ConfigKey, string>> = {};
  for (const [key, value] of Object.entries(values)) {
    if (key.startsWith(`${PROJECT}:`)) lorechat[key.slice(PROJECT.length + 1) as ConfigKey] = value;
  }
  return parseStackConfig({
    stack,
    aws: { region: values['aws:region'] },
    values: lorechat,
    secretsSet: new Set(
      SECRET_KEYS.filter(
        (key) => secretKeys.includes(`${PROJECT}:${key}`) && values[`${PROJECT}:${key}`],
      ),
    ),
  });
}

/**
 * The suite every stack file must pass: it runs the program once under mocks with the stack's
 * configuration read from disk and checks the recorded resources.
 */
export function describeStack(stack: string, shape: StackShape): void {
  describe(`Pulumi.${stack}.yaml`, () => {
    const config = stackConfigOf(stack);
    let run: ProgramRun;

    beforeAll(async () => {
      run = await runProgram(stack);
    });

    const securityGroupId = (name: string) => `${config.resourcePrefix}-${name}-id`;
    const ingressRules = () =>
      allOf(run, 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule');

    it('has the shape DESIGN.md gives this stack', () => {
      expect(config.network.availabilityZones).toBe(shape.availabilityZones);
      expect(config.deletionProtection).toBe(shape.deletionProtection);
      expect(Boolean(config.domain)).toBe(shape.customDomain);
      expect(Boolean(config.cache)).toBe(shape.redis);
      expect(config.llm.provider === 'bedrock').toBe(shape.bedrock);
      const capacity = config.service.capacity;
      if (shape.spot === 'all') {
        expect(capacity).toMatchObject({ onDemandBase: 0, onDemandWeight: 0 });
      } else {
        expect(capacity.onDemandBase).toBeGreaterThanOrEqual(1);
        expect(capacity.spotWeight).toBeGreaterThan(0);
      }
    });

    describe('network', () => {
      it('spans the configured zones with public subnets only and no NAT gateway', () => {
        const vpc = oneOf(run, 'awsx:ec2:Vpc');
        expect(vpc.inputs).toMatchObject({
          numberOfAvailabilityZones: config.network.availabilityZones,
          cidrBlock: config.network.vpcCidr,
          natGateways: { strategy: 'None' },
          subnetStrategy: 'Auto',
          subnetSpecs: [{ type: 'Public' }],
        });
      });

      it('records all VPC traffic in flow logs with retention', () => {
        const flowLog = oneOf(run, 'aws:ec2/flowLog:FlowLog');
        const group = oneOf(
          run,
          'aws:cloudwatch/logGroup:LogGroup',
          `${config.resourcePrefix}-flow-logs`,
        );
        expect(flowLog.inputs).toMatchObject({
          vpcId: 'vpc-0simulated',
          trafficType: 'ALL',
          logDestination: arnOf(group),
        });
        const delivery = rolePolicy(run, `${config.resourcePrefix}-flow-logs`);
        expect(delivery.Statement.flatMap((statement) => asList(statement.Resource))).toEqual([
          arnOf(group),
          `${arnOf(group)}:*`,
        ]);
      });

      it('admits nothing from 0.0.0.0/0 or ::/0, and has no inline rules to hide any', () => {
        for (const group of allOf(run, 'aws:ec2/securityGroup:SecurityGroup')) {
          expect(group.inputs.ingress ?? []).toEqual([]);
        }
        expect(allOf(run, 'aws:ec2/securityGroupRule:SecurityGroupRule')).toEqual([]);
        for (const rule of ingressRules()) {
          expect(rule.inputs.cidrIpv4).toBeUndefined();
          expect(rule.inputs.cidrIpv6).toBeUndefined();
          expect(rule.inputs.prefixListId ?? rule.inputs.referencedSecurityGroupId).toBeDefined();
        }
      });

      it('lets only CloudFront reach the load balancer, on its one listener port', () => {
        const port = shape.customDomain ? 443 : 80;
        const rules = ingressRules().filter(
          (rule) => rule.inputs.securityGroupId === securityGroupId('alb'),
        );
        expect(rules.map((rule) => rule.inputs)).toEqual([
          expect.objectContaining({
            prefixListId: SIMULATED_PREFIX_LIST_ID,
            ipProtocol: 'tcp',
            fromPort: port,
            toPort: port,
          }),
        ]);
        expect(run.calls).toContainEqual({
          token: 'aws:ec2/getManagedPrefixList:getManagedPrefixList',
          inputs: expect.objectContaining({ name: CLOUDFRONT_ORIGIN_PREFIX_LIST }),
        });
      });

      it('lets only the load balancer reach the tasks, and only the tasks reach the data', () => {
        const byGroup = (name: string) =>
          ingressRules()
            .filter((rule) => rule.inputs.securityGroupId === securityGroupId(name))
            .map((rule) => rule.inputs);
        expect(byGroup('service')).toEqual([
          expect.objectContaining({
            referencedSecurityGroupId: securityGroupId('alb'),
            fromPort: BACKEND_PORT,
            toPort: BACKEND_PORT,
          }),
        ]);
        expect(byGroup('qdrant')).toEqual([
          expect.objectContaining({ referencedSecurityGroupId: securityGroupId('service') }),
        ]);
        expect(byGroup('redis')).toEqual(
          shape.redis
            ? [expect.objectContaining({ referencedSecurityGroupId: securityGroupId('service') })]
            : [],
        );
      });
    });

    describe('edge', () => {
      it('attaches a CloudFront-scope WAF web ACL created through a us-east-1 provider', () => {
        const provider = oneOf(run, 'pulumi:providers:aws');
        expect(provider.inputs.region).toBe('us-east-1');
        const webAcl = oneOf(run, 'aws:wafv2/webAcl:WebAcl');
        expect(webAcl.inputs.scope).toBe('CLOUDFRONT');
        expect(webAcl.provider).toContain(`pulumi:providers:aws::${provider.name}::`);
        const distribution = oneOf(run, 'aws:cloudfront/distribution:Distribution');
        expect(distribution.inputs.webAclId).toBe(arnOf(webAcl));
      });

      it('applies the managed rule groups and the per-IP rate limits of the stack', () => {
        const webAcl = oneOf(run, 'aws:wafv2/webAcl:WebAcl');
        const rules = input<
          {
            name: string;
            priority: number;
            statement: {
              managedRuleGroupStatement?: { name: string };
              rateBasedStatement?: { limit: number; scopeDownStatement?: unknown };
            };
          }[]
        >(webAcl, 'rules');
        const groups = rules.flatMap(
          (rule) => rule.statement.managedRuleGroupStatement?.name ?? [],
        );
        expect(groups).toEqual(
          expect.arrayContaining([
            'AWSManagedRulesCommonRuleSet',
            'AWSManagedRulesKnownBadInputsRuleSet',
            'AWSManagedRulesAmazonIpReputationList',
          ]),
        );
        const limits = rules.flatMap((rule) => rule.statement.rateBasedStatement ?? []);
        expect(limits).toEqual([
          expect.objectContaining({ limit: config.edge.rateLimit, aggregateKeyType: 'IP' }),
          expect.objectContaining({
            limit: config.edge.chatRateLimit,
            scopeDownStatement: {
              byteMatchStatement: expect.objectContaining({
                searchString: '/socket.io/',
                positionalConstraint: 'STARTS_WITH',
              }),
            },
          }),
        ]);
        expect(new Set(rules.map((rule) => rule.priority)).size).toBe(rules.length);
      });

      it('logs blocked requests to a retained us-east-1 log group with credentials redacted', () => {
        const logging = oneOf(
          run,
          'aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration',
        );
        const group = oneOf(
          run,
          'aws:cloudwatch/logGroup:LogGroup',
          `${config.resourcePrefix}-waf`,
        );
        expect(group.inputs.name).toMatch(/^aws-waf-logs-/);
        expect(group.provider).toContain('pulumi:providers:aws::');
        expect(logging.inputs.logDestinationConfigs).toEqual([arnOf(group)]);
        expect(logging.inputs.redactedFields).toEqual(
          expect.arrayContaining([
            { singleHeader: { name: 'authorization' } },
            { singleHeader: { name: 'cookie' } },
          ]),
        );
      });

      it('passes Socket.IO and the API through uncached with the whole viewer request', () => {
        const distribution = oneOf(run, 'aws:cloudfront/distribution:Distribution');
        const chat = input<Record<string, unknown>[]>(distribution, 'orderedCacheBehaviors').find(
          (behavior) => behavior.pathPattern === '/socket.io/*',
        );
        for (const behavior of [
          chat,
          input<Record<string, unknown>>(distribution, 'defaultCacheBehavior'),
        ]) {
          expect(behavior).toMatchObject({
            cachePolicyId: MANAGED_POLICY.cachingDisabled,
            originRequestPolicyId: MANAGED_POLICY.allViewerExceptHostHeader,
            viewerProtocolPolicy: 'redirect-to-https',
            allowedMethods: expect.arrayContaining(['GET', 'POST', 'OPTIONS']),
          });
        }
      });

      it('caches and compresses the widget', () => {
        const distribution = oneOf(run, 'aws:cloudfront/distribution:Distribution');
        const cachePolicy = oneOf(run, 'aws:cloudfront/cachePolicy:CachePolicy');
        const widget = input<Record<string, unknown>[]>(distribution, 'orderedCacheBehaviors').find(
          (behavior) => behavior.pathPattern === '/widget*',
        );
        expect(widget).toMatchObject({
          cachePolicyId: `${cachePolicy.name}-id`,
          compress: true,
          viewerProtocolPolicy: 'redirect-to-https',
        });
        expect(cachePolicy.inputs.parametersInCacheKeyAndForwardedToOrigin).toMatchObject({
          enableAcceptEncodingGzip: true,
          enableAcceptEncodingBrotli: true,
        });
      });

      it('adds security headers to every response', () => {
        const distribution = oneOf(run, 'aws:cloudfront/distribution:Distribution');
        const policy = oneOf(run, 'aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy');
        const behaviors = [
          input<Record<string, unknown>>(distribution, 'defaultCacheBehavior'),
          ...input<Record<string, unknown>[]>(distribution, 'orderedCacheBehaviors'),
        ];
        for (const behavior of behaviors) {
          expect(behavior.responseHeadersPolicyId).toBe(`${policy.name}-id`);
        }
        expect(policy.inputs.securityHeadersConfig).toMatchObject({
          strictTransportSecurity: { override: true },
          contentTypeOptions: { override: true },
          frameOptions: { frameOption: 'DENY' },
        });
      });

      it('waits longer for the origin than a Socket.IO long-poll lasts', () => {
        const distribution = oneOf(run, 'aws:cloudfront/distribution:Distribution');
        const [origin] = input<{ customOriginConfig: Record<string, unknown> }[]>(
          distribution,
          'origins',
        );
        expect(origin?.customOriginConfig).toMatchObject({
          originReadTimeout: ORIGIN_READ_TIMEOUT_SECONDS,
          originKeepaliveTimeout: ORIGIN_KEEPALIVE_SECONDS,
        });
        expect(ORIGIN_READ_TIMEOUT_SECONDS).toBeGreaterThan(25);
      });
    });

    describe('origin protection', () => {
      it('forwards only requests with the secret header CloudFront adds; others get 403', () => {
        const listener = oneOf(run, 'aws:lb/listener:Listener');
        expect(listener.inputs.defaultActions).toEqual([
          expect.objectContaining({
            type: 'fixed-response',
            fixedResponse: expect.objectContaining({ statusCode: '403' }),
          }),
        ]);
        const secret = oneOf(
          run,
          'random:index/randomPassword:RandomPassword',
          `${config.resourcePrefix}-origin-verify`,
        );
        const rule = oneOf(run, 'aws:lb/listenerRule:ListenerRule');
        const [condition] = input<{ httpHeader: { httpHeaderName: string; values: unknown[] } }[]>(
          rule,
          'conditions',
        );
        expect(isSecret(rule.inputs.conditions)).toBe(true);
        expect(condition?.httpHeader).toEqual({
          httpHeaderName: ORIGIN_VERIFY_HEADER,
          values: [secret.outputs.result],
        });
        expect(rule.inputs).toMatchObject({
          listenerArn: arnOf(listener),
          actions: [expect.objectContaining({ type: 'forward' })],
        });
        const distribution = oneOf(run, 'aws:cloudfront/distribution:Distribution');
        const [origin] = input<{ customHeaders: unknown[] }[]>(distribution, 'origins');
        expect(isSecret(distribution.inputs.origins)).toBe(true);
        expect(origin?.customHeaders).toEqual([
          { name: ORIGIN_VERIFY_HEADER, value: secret.outputs.result },
        ]);
        expect(secret.inputs).toMatchObject({ length: 40, special: false });
      });
    });

    describe('TLS', () => {
      it('redirects viewers to HTTPS and speaks only TLS 1.2+ to the origin', () => {
        const distribution = oneOf(run, 'aws:cloudfront/distribution:Distribution');
        const [origin] = input<{ customOriginConfig: Record<string, unknown> }[]>(
          distribution,
          'origins',
        );
        expect(origin?.customOriginConfig.originSslProtocols).toEqual(['TLSv1.2']);
        for (const behavior of input<{ viewerProtocolPolicy: string }[]>(
          distribution,
          'orderedCacheBehaviors',
        )) {
          expect(behavior.viewerProtocolPolicy).toBe('redirect-to-https');
        }
      });

      if (shape.customDomain) {
        it('serves the custom domain with TLSv1.2_2021 and an HTTPS origin with a TLS 1.3 policy', () => {
          const distribution = oneOf(run, 'aws:cloudfront/distribution:Distribution');
          expect(distribution.inputs.aliases).toEqual([config.domain?.name]);
          expect(distribution.inputs.viewerCertificate).toMatchObject({
            sslSupportMethod: 'sni-only',
            minimumProtocolVersion: 'TLSv1.2_2021',
          });
          const [origin] = input<
            { domainName: string; customOriginConfig: Record<string, unknown> }[]
          >(distribution, 'origins');
          expect(origin?.domainName).toBe(`origin.${config.domain?.name}`);
          expect(origin?.customOriginConfig.originProtocolPolicy).toBe('https-only');
          expect(oneOf(run, 'aws:lb/listener:Listener').inputs).toMatchObject({
            protocol: 'HTTPS',
            port: 443,
            sslPolicy: TLS_POLICY,
          });
          const certificates = allOf(run, 'aws:acm/certificate:Certificate');
          expect(certificates.map((certificate) => certificate.inputs.domainName).sort()).toEqual(
            [config.domain?.name, `origin.${config.domain?.name}`].sort(),
          );
          const cloudFrontCertificate = certificates.find(
            (certificate) => certificate.inputs.domainName === config.domain?.name,
          );
          expect(cloudFrontCertificate?.provider).toContain('pulumi:providers:aws::');
        });
      } else {
        it("serves CloudFront's own domain and reaches the load balancer by its name", () => {
          const distribution = oneOf(run, 'aws:cloudfront/distribution:Distribution');
          expect(distribution.inputs.viewerCertificate).toMatchObject({
            cloudfrontDefaultCertificate: true,
          });
          expect(oneOf(run, 'aws:lb/listener:Listener').inputs).toMatchObject({
            protocol: 'HTTP',
            port: 80,
          });
          expect(allOf(run, 'aws:acm/certificate:Certificate')).toEqual([]);
        });
      }
    });

    describe('load balancer', () => {
      it('keeps Socket.IO sessions on one task and idle connections open', () => {
        const loadBalancer = oneOf(run, 'aws:lb/loadBalancer:LoadBalancer');
        expect(loadBalancer.inputs.idleTimeout).toBe(IDLE_TIMEOUT_SECONDS);
        // Socket.IO's ping interval (25 s) plus its ping timeout (20 s).
        expect(IDLE_TIMEOUT_SECONDS).toBeGreaterThan(45);
        // CloudFront must never reuse a connection the load balancer has already closed.
        expect(IDLE_TIMEOUT_SECONDS).toBeGreaterThan(ORIGIN_KEEPALIVE_SECONDS);
        const targetGroup = oneOf(run, 'aws:lb/targetGroup:TargetGroup');
        expect(targetGroup.inputs.stickiness).toMatchObject({ type: 'lb_cookie', enabled: true });
      });

      it('checks /health and drains a task for as long as the task may take to stop', () => {
        const targetGroup = oneOf(run, 'aws:lb/targetGroup:TargetGroup');
        expect(targetGroup.inputs).toMatchObject({
          targetType: 'ip',
          port: BACKEND_PORT,
          healthCheck: expect.objectContaining({ path: HEALTH_PATH, matcher: '200' }),
          deregistrationDelay: config.service.stopTimeoutSeconds,
        });
        expect(container(run).stopTimeout).toBe(config.service.stopTimeoutSeconds);
      });

      it('drops invalid headers and is protected from deletion as the stack says', () => {
        expect(oneOf(run, 'aws:lb/loadBalancer:LoadBalancer').inputs).toMatchObject({
          dropInvalidHeaderFields: true,
          enableDeletionProtection: shape.deletionProtection,
          internal: false,
        });
      });

      it('writes access logs to a private, encrypted bucket that expires them', () => {
        const bucket = oneOf(run, 'aws:s3/bucket:Bucket');
        expect(oneOf(run, 'aws:lb/loadBalancer:LoadBalancer').inputs.accessLogs).toMatchObject({
          bucket: bucket.outputs.bucket,
          enabled: true,
        });
        expect(
          oneOf(run, 'aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock').inputs,
        ).toMatchObject({
          blockPublicAcls: true,
          blockPublicPolicy: true,
          ignorePublicAcls: true,
          restrictPublicBuckets: true,
        });
        expect(
          oneOf(
            run,
            'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
          ).inputs.rules,
        ).toEqual([
          expect.objectContaining({
            applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' },
          }),
        ]);
        expect(
          oneOf(run, 'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration').inputs
            .rules,
        ).toEqual([
          expect.objectContaining({
            status: 'Enabled',
            expiration: { days: config.logRetentionDays },
          }),
        ]);
        const policy = JSON.parse(
          input<string>(oneOf(run, 'aws:s3/bucketPolicy:BucketPolicy'), 'policy'),
        ) as {
          Statement: {
            Effect: string;
            Principal: unknown;
            Resource: unknown;
            Condition?: unknown;
          }[];
        };
        expect(policy.Statement).toEqual([
          expect.objectContaining({
            Effect: 'Allow',
            Principal: { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' },
            Resource: expect.stringContaining(`/alb/AWSLogs/${SIMULATED_ACCOUNT_ID}/*`),
          }),
          expect.objectContaining({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]);
        expect(bucket.inputs.forceDestroy).toBe(!shape.deletionProtection);
      });
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

      it('runs Container Insights, rolls back failed deployments, waits for steady state', () => {
        expect(oneOf(run, 'aws:ecs/cluster:Cluster').inputs.settings).toEqual([
          { name: 'containerInsights', value: 'enabled' },
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
        for (const { name, value } of definition.environment) {
          expect(name).not.toMatch(/KEY|SECRET|TOKEN|PASSWORD|REDIS_URL/);
          for (const secret of secretValues) expect(value).not.toContain(secret);
          expect(value).not.toContain('simulated-secret');
        }
        const expectedSecrets = [
          'QDRANT_API_KEY',
          'VISITOR_TOKEN_SECRET',
          ...(shape.redis ? ['REDIS_URL'] : []),
        ];
        expect(definition.secrets.map((secret) => secret.name).sort()).toEqual(
          expectedSecrets.sort(),
        );
        const secretArns = allOf(run, 'aws:secretsmanager/secret:Secret').map(arnOf);
        for (const secret of definition.secrets) {
          expect(secretArns).toContain(secret.valueFrom.replace(/:[A-Z_]+::$/, ''));
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
          QDRANT_URL: 'http://10.0.0.10:6333',
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
            policy.predefinedMetricSpecification?.predefinedMetricType ===
            'ALBRequestCountPerTarget',
        );
        expect(requests?.targetValue).toBe(config.service.requestsPerTargetPerMinute);
        expect(requests?.predefinedMetricSpecification?.resourceLabel).toMatch(
          /^app\/.+\/targetgroup\/.+/,
        );
      });

      it('lets the task call only the configured Bedrock models', () => {
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
        expect(asList(statement?.Resource ?? [])).toEqual([
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
        const regional = arnOf(
          oneOf(run, 'aws:sns/topic:Topic', `${config.resourcePrefix}-alarms`),
        );
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
        expect(body.widgets.map((widget) => widget.properties.title)).toEqual([
          ...DASHBOARD_WIDGETS,
        ]);
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
            `arn:aws:ecs:${config.region}:${SIMULATED_ACCOUNT_ID}:task/${config.resourcePrefix}-cluster/*`,
          ],
          [
            'iam:PassRole',
            [
              roleArn(`${config.resourcePrefix}-ingest-execution`),
              roleArn(`${config.resourcePrefix}-ingest-task`),
            ],
          ],
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

    describe('image', () => {
      it('builds backend/Dockerfile for arm64 into a scanned repository that keeps the last images', () => {
        const image = oneOf(run, 'awsx:ecr:Image');
        expect(image.inputs).toMatchObject({
          platform: 'linux/arm64',
          dockerfile: 'backend/Dockerfile',
          context: REPOSITORY_ROOT,
        });
        const repository = oneOf(run, 'aws:ecr/repository:Repository');
        expect(repository.inputs).toMatchObject({
          imageScanningConfiguration: { scanOnPush: true },
          encryptionConfigurations: [{ encryptionType: 'AES256' }],
          forceDelete: !shape.deletionProtection,
        });
        const lifecycle = JSON.parse(
          input<string>(oneOf(run, 'aws:ecr/lifecyclePolicy:LifecyclePolicy'), 'policy'),
        ) as { rules: { selection: { countNumber: number } }[] };
        expect(lifecycle.rules[0]?.selection.countNumber).toBe(config.image.imagesKept);
        expect(container(run).image).toBe(image.outputs.imageUri);
        const pull = rolePolicy(run, `${config.resourcePrefix}-execution`).Statement.find(
          (statement) => statement.Sid === 'PullImage',
        );
        expect(pull?.Resource).toBe(arnOf(repository));
      });
    });

    describe('Qdrant', () => {
      it('runs on a Graviton instance with IMDSv2, encrypted disks and no key in its user data', () => {
        if (config.vectorDb.mode !== 'self-hosted')
          throw new Error('stack files use self-hosted Qdrant');
        const instance = oneOf(run, 'aws:ec2/instance:Instance');
        expect(instance.inputs).toMatchObject({
          instanceType: config.vectorDb.instanceType,
          metadataOptions: expect.objectContaining({ httpTokens: 'required' }),
          rootBlockDevice: expect.objectContaining({ encrypted: true }),
          vpcSecurityGroupIds: [securityGroupId('qdrant')],
        });
        expect(config.vectorDb.instanceType).toMatch(/^[a-z]+\d+g/);
        const apiKey = oneOf(
          run,
          'random:index/randomPassword:RandomPassword',
          `${config.resourcePrefix}-qdrant-api-key`,
        );
        expect(input<string>(instance, 'userData')).not.toContain(String(apiKey.outputs.result));
        expect(input<string>(instance, 'userData')).toContain(
          `qdrant/qdrant:${config.vectorDb.version}-unprivileged`,
        );
      });

      it('keeps data on an encrypted gp3 volume, snapshotted daily, and recovers the instance', () => {
        if (config.vectorDb.mode !== 'self-hosted')
          throw new Error('stack files use self-hosted Qdrant');
        const volume = oneOf(run, 'aws:ebs/volume:Volume');
        expect(volume.inputs).toMatchObject({
          type: 'gp3',
          encrypted: true,
          size: config.vectorDb.volumeSizeGiB,
        });
        const snapshotTag = (volume.inputs.tags as Record<string, string>).Snapshot;
        expect(
          oneOf(run, 'aws:dlm/lifecyclePolicy:LifecyclePolicy').inputs.policyDetails,
        ).toMatchObject({
          resourceTypes: ['VOLUME'],
          targetTags: { Snapshot: snapshotTag },
          schedules: [
            expect.objectContaining({ retainRule: { count: config.vectorDb.snapshotsKept } }),
          ],
        });
        expect(oneOf(run, 'aws:ec2/volumeAttachment:VolumeAttachment').inputs).toMatchObject({
          volumeId: `${volume.name}-id`,
        });
        expect(
          oneOf(
            run,
            'aws:cloudwatch/metricAlarm:MetricAlarm',
            `${config.resourcePrefix}-qdrant-recover`,
          ).inputs,
        ).toMatchObject({
          metricName: 'StatusCheckFailed_System',
          alarmActions: [`arn:aws:automate:${config.region}:ec2:recover`],
        });
      });
    });

    describe('Redis', () => {
      if (shape.redis) {
        it('is encrypted at rest and in transit, password-protected, replicated as configured', () => {
          const cache = config.cache;
          const group = oneOf(run, 'aws:elasticache/replicationGroup:ReplicationGroup');
          expect(group.inputs).toMatchObject({
            atRestEncryptionEnabled: true,
            transitEncryptionEnabled: true,
            nodeType: cache?.nodeType,
            numCacheClusters: 1 + (cache?.replicas ?? 0),
            automaticFailoverEnabled: (cache?.replicas ?? 0) > 0,
            securityGroupIds: [securityGroupId('redis')],
          });
          expect(isSecret(group.inputs.authToken)).toBe(true);
        });
      } else {
        it('is not created', () => {
          expect(allOf(run, 'aws:elasticache/replicationGroup:ReplicationGroup')).toEqual([]);
        });
      }
    });

    describe('every resource', () => {
      it('belongs to a LoreChat component', () => {
        for (const resource of run.resources) {
          if (resource.type === 'pulumi:pulumi:Stack') continue;
          const parent = parentType(resource);
          const owned = resource.type.startsWith('lorechat:')
            ? parent === 'pulumi:pulumi:Stack' || parent?.startsWith('lorechat:')
            : parent?.startsWith('lorechat:');
          if (!owned) throw new Error(`${resource.type} ${resource.name} has parent ${parent}`);
        }
      });

      it('carries the Project, Environment and ManagedBy tags when its type takes tags', () => {
        const tags = { Project: PROJECT, Environment: stack, ManagedBy: 'pulumi' };
        const taggable = run.resources.filter((resource) => declaresTags(resource.type));
        expect(taggable.length).toBeGreaterThan(20);
        for (const resource of run.resources) {
          const takesTags = declaresTags(resource.type);
          expect([resource.type, TAGGABLE_TYPES.has(resource.type)]).toEqual([
            resource.type,
            takesTags,
          ]);
          if (takesTags)
            expect([resource.name, resource.inputs.tags]).toEqual([
              resource.name,
              expect.objectContaining(tags),
            ]);
        }
      });

      it('passes every rule of the policy pack (infra/policy), which sees these resources', async () => {
        const targets = run.resources.map(targetOf);
        expect(await violationsOf(policyPack, targets)).toEqual([]);
        // The same resources with the load balancer opened to the world do fail: the rules
        // really read this program's recorded resources.
        const opened = targets.map((target) =>
          target.type === 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule'
            ? {
                ...target,
                outputs: { ...target.outputs, prefixListId: undefined, cidrIpv4: '0.0.0.0/0' },
              }
            : target,
        );
        expect(await violationsOf(policyPack, opened)).toEqual([
          expect.objectContaining({
            policy: 'alb-ingress-cloudfront-only',
            resource: `${config.resourcePrefix}-alb-from-cloudfront`,
          }),
        ]);
      });

      it('encrypts every store of data at rest', () => {
        const encryptedStores: RecordedResource[] = [
          ...allOf(run, 'aws:ebs/volume:Volume'),
          ...allOf(run, 'aws:elasticache/replicationGroup:ReplicationGroup'),
        ];
        for (const store of encryptedStores) {
          expect(store.inputs.encrypted ?? store.inputs.atRestEncryptionEnabled).toBe(true);
        }
        expect(allOf(run, 'aws:s3/bucket:Bucket')).toHaveLength(
          allOf(
            run,
            'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
          ).length,
        );
      });
    });

    it('exports the site URL, widget snippet, load balancer name and ingest command', () => {
      const siteUrl = shape.customDomain
        ? `https://${config.domain?.name}`
        : 'https://d111111abcdef8.cloudfront.net';
      expect(run.outputs).toMatchObject({
        siteUrl,
        widgetSnippet: `<script src="${siteUrl}/widget.js" data-site-key="${config.siteKey}" async></script>`,
        loadBalancerName: `${config.resourcePrefix}-alb`,
      });
      expect(run.outputs.ingestCommand).toEqual(expect.stringContaining('aws ecs run-task'));
      expect(run.outputs.ingestCommand).toEqual(expect.stringContaining('"ingest","--site"'));
    });
  });
}
