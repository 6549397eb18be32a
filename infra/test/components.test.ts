import { ADMIN_SESSION_PATH } from '@lorechat/contracts';
import * as pulumi from '@pulumi/pulumi';
import {
  bedrockModelIds,
  bedrockResourceArns,
  ingestRunTaskCommand,
  widgetScriptTag,
} from '../backend';
import { cacheBehaviors } from '../components/edge';
import { CHAT_PATH } from '../components/edgePaths';
import { webAclRules } from '../components/waf';
import { accessLogBucketPolicy } from '../components/loadBalancer';
import { internetEgressPorts } from '../components/network';
import { capacityProviderStrategy } from '../components/service';
import { providerArgs } from '../components/providers';
import { inferenceProfileSource } from '../components/models';
import {
  containerDefinition,
  ecrRepositoryArn,
  executionStatements,
  livenessCheck,
} from '../components/task';
import {
  REDIS_MAINTENANCE_WINDOW,
  REDIS_SNAPSHOT_WINDOW,
  redisUrl,
  windowsOverlap,
} from '../components/cache';
import {
  clusterRoles,
  qdrantClusterEnvironment,
  qdrantNodeAddress,
  qdrantServiceUrl,
  qdrantUserData,
} from '../components/qdrantCluster';
import { parseStackConfig } from '../config';
import { formatInventory, inventoryOf } from '../simulation/inventory';
import { type RecordedResource } from '../simulation/mocks';
import { standardTags } from '../tagging';

/** The value of an Output built from known values, outside any Pulumi program. */
function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply(resolve));
}

describe('network', () => {
  it('opens HTTPS always, plus the explicit port of each configured endpoint', () => {
    expect(internetEgressPorts([undefined])).toEqual([443]);
    expect(
      internetEgressPorts([
        'http://ollama.internal:11434/v1',
        'https://cluster.cloud.qdrant.io:6333',
        'https://api.example.com/v1',
        'http://proxy.internal/v1',
      ]),
    ).toEqual([80, 443, 6333, 11434]);
  });
});

describe('edge', () => {
  const waf = {
    rateLimit: 2000,
    chatRateLimit: 600,
    signInRateLimit: 20,
    blockedCountries: [],
    managedRules: true,
  };

  it('orders the WAF rules with unique priorities, reputation before rate limits', () => {
    const rules = webAclRules(waf);
    expect(rules.map((rule) => [rule.priority, rule.name])).toEqual([
      [0, 'AWSManagedRulesAmazonIpReputationList'],
      [1, 'rate-limit-per-ip'],
      [2, 'chat-rate-limit-per-ip'],
      [3, 'sign-in-rate-limit-per-ip'],
      [4, 'AWSManagedRulesCommonRuleSet'],
      [5, 'AWSManagedRulesKnownBadInputsRuleSet'],
    ]);
  });

  it('limits console sign-in attempts per IP: POST to the session path only', () => {
    const rule = webAclRules(waf).find((each) => each.name === 'sign-in-rate-limit-per-ip');
    expect(rule?.action).toEqual({ block: {} });
    expect(rule?.statement).toMatchObject({
      rateBasedStatement: {
        limit: 20,
        aggregateKeyType: 'IP',
        scopeDownStatement: {
          andStatement: {
            statements: [
              {
                byteMatchStatement: {
                  searchString: 'POST',
                  positionalConstraint: 'EXACTLY',
                  fieldToMatch: { method: {} },
                },
              },
              {
                byteMatchStatement: {
                  searchString: ADMIN_SESSION_PATH,
                  positionalConstraint: 'EXACTLY',
                  fieldToMatch: { uriPath: {} },
                },
              },
            ],
          },
        },
      },
    });
  });

  it('leaves out the managed rule groups and the chat limit when a stack does without them', () => {
    const rules = webAclRules({ ...waf, managedRules: false, chatRateLimit: 0 });
    expect(rules.map((rule) => [rule.priority, rule.name])).toEqual([
      [0, 'rate-limit-per-ip'],
      [1, 'sign-in-rate-limit-per-ip'],
    ]);
  });

  it('puts geo blocking first when countries are configured', () => {
    const [first, ...rest] = webAclRules({ ...waf, blockedCountries: ['KP'] });
    expect(first).toMatchObject({ priority: 0, name: 'geo-block', action: { block: {} } });
    expect(rest).toHaveLength(6);
  });

  it('only counts the body rules that questions containing code would trip', () => {
    const common = webAclRules(waf).find((rule) => rule.name === 'AWSManagedRulesCommonRuleSet');
    expect(common?.statement).toMatchObject({
      managedRuleGroupStatement: {
        ruleActionOverrides: [
          { name: 'CrossSiteScripting_BODY', actionToUse: { count: {} } },
          { name: 'SizeRestrictions_BODY', actionToUse: { count: {} } },
        ],
      },
    });
  });

  it('spells out uncached chat and admin behaviours and a cached, compressed widget behaviour', () => {
    const { defaultBehavior, orderedBehaviors } = cacheBehaviors({
      staticCachePolicyId: 'static',
      adminCachePolicyId: 'admin',
      responseHeadersPolicyId: 'headers',
    });
    const [chat, consolePage, consoleAssets, adminApi, widget] = orderedBehaviors;
    expect(chat).toEqual({ ...defaultBehavior, pathPattern: `${CHAT_PATH}*` });
    for (const [behavior, pathPattern] of [
      [consolePage, '/admin'],
      [consoleAssets, '/admin/*'],
      [adminApi, '/v1/admin/*'],
    ] as const) {
      expect(behavior).toEqual({ ...defaultBehavior, pathPattern, cachePolicyId: 'admin' });
    }
    expect(widget).toMatchObject({
      pathPattern: '/widget*',
      cachePolicyId: 'static',
      compress: true,
    });
  });
});

describe('load balancer', () => {
  it('lets only ELB log delivery write, only this account, only over TLS', async () => {
    const policy = JSON.parse(
      await valueOf(accessLogBucketPolicy('arn:aws:s3:::logs', '111122223333')),
    ) as {
      Statement: Record<string, unknown>[];
    };
    expect(policy.Statement).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Action: 's3:PutObject',
        Resource: 'arn:aws:s3:::logs/alb/AWSLogs/111122223333/*',
      }),
      expect.objectContaining({
        Effect: 'Deny',
        Resource: ['arn:aws:s3:::logs', 'arn:aws:s3:::logs/*'],
      }),
    ]);
  });
});

describe('service', () => {
  it('leaves on-demand Fargate out of an all-Spot strategy', () => {
    expect(capacityProviderStrategy({ onDemandBase: 0, onDemandWeight: 0, spotWeight: 1 })).toEqual(
      [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
    );
  });

  it('keeps an on-demand base with the rest shared by weight', () => {
    expect(capacityProviderStrategy({ onDemandBase: 2, onDemandWeight: 1, spotWeight: 3 })).toEqual(
      [
        { capacityProvider: 'FARGATE', base: 2, weight: 1 },
        { capacityProvider: 'FARGATE_SPOT', weight: 3 },
      ],
    );
  });

  it('lists environment variables in a stable order and secrets by reference only', async () => {
    const definition = containerDefinition({
      image: 'image@sha256:0',
      containerPort: 3000,
      environment: { PORT: '3000', HOST: '0.0.0.0' },
      secrets: [
        {
          name: 'QDRANT_API_KEY',
          valueFrom: pulumi.output('arn:secret:QDRANT_API_KEY::'),
          secretArn: pulumi.output('arn:secret'),
        },
      ],
      stopTimeoutSeconds: 120,
      logGroupName: '/lorechat-dev/service',
      region: 'eu-west-1',
    });
    const resolved = JSON.parse(await valueOf(pulumi.jsonStringify(definition))) as {
      environment: unknown;
      secrets: unknown;
    };
    expect(resolved.environment).toEqual([
      { name: 'HOST', value: '0.0.0.0' },
      { name: 'PORT', value: '3000' },
    ]);
    expect(resolved.secrets).toEqual([
      { name: 'QDRANT_API_KEY', valueFrom: 'arn:secret:QDRANT_API_KEY::' },
    ]);
  });

  it('grants ECR pulls only when the image is in ECR, and each secret once', async () => {
    const statements = executionStatements({
      logGroupArn: 'arn:logs',
      secretArns: ['arn:secret:a', 'arn:secret:b', 'arn:secret:a'],
    });
    expect(statements.map((statement) => statement.Sid)).toEqual(['WriteLogs', 'ReadSecrets']);
    const read = statements[1]?.Resource as pulumi.Output<string[]>;
    expect(await valueOf(read)).toEqual(['arn:secret:a', 'arn:secret:b']);
  });
});

describe('Qdrant', () => {
  const script = qdrantUserData({
    volumeId: 'vol-0123456789abcdef0',
    secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:lorechat-dev-qdrant-AbCdEf',
    region: 'eu-west-1',
    version: 'v1.18.0',
  });

  it('finds the data volume by its NVMe serial and formats it only when blank', () => {
    expect(script).toContain('"vol0123456789abcdef0"');
    expect(script).toMatch(/if ! blkid "\$device"; then\n {2}mkfs\.xfs "\$device"\nfi/);
    expect(script.match(/mkfs/g)).toHaveLength(1);
  });

  it('reads the API key at boot into a root-only file, and runs the unprivileged image', () => {
    expect(script).toContain('umask 077');
    expect(script).toContain('aws secretsmanager get-secret-value --region eu-west-1');
    expect(script).toContain('--env-file /etc/qdrant.env');
    expect(script).toContain('qdrant/qdrant:v1.18.0-unprivileged');
  });
});

describe('a Qdrant cluster', () => {
  it('puts each node at a fixed address inside a reserved /28 of its subnet, clear of the AWS-held ones', () => {
    expect(qdrantNodeAddress('10.0.0.0/20')).toEqual({
      reservedCidr: '10.0.0.16/28',
      address: '10.0.0.16',
    });
    expect(qdrantNodeAddress('10.0.64.0/26').address).toBe('10.0.64.16');
    expect(() => qdrantNodeAddress('10.0.0.0/27')).toThrow(/too small/);
  });

  it('has the first node start the cluster and the others join it, the server use them all', () => {
    const addresses = ['10.0.0.16', '10.0.64.16', '10.0.128.16'];
    expect(clusterRoles(addresses)).toEqual([
      { uri: 'http://10.0.0.16:6335' },
      { uri: 'http://10.0.64.16:6335', bootstrap: 'http://10.0.0.16:6335' },
      { uri: 'http://10.0.128.16:6335', bootstrap: 'http://10.0.0.16:6335' },
    ]);
    expect(clusterRoles(['10.0.0.16'])).toEqual([undefined]);
    expect(qdrantServiceUrl(addresses)).toBe(
      'http://10.0.0.16:6333,http://10.0.64.16:6333,http://10.0.128.16:6333',
    );
    expect(qdrantClusterEnvironment(1)).toEqual({});
    expect(qdrantClusterEnvironment(3)).toEqual({
      QDRANT_SHARD_NUMBER: '6',
      QDRANT_REPLICATION_FACTOR: '2',
      QDRANT_WRITE_CONSISTENCY: '1',
    });
    const joining = qdrantUserData({
      volumeId: 'vol-0123456789abcdef0',
      secretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:q',
      region: 'eu-west-1',
      version: 'v1.18.2',
      cluster: clusterRoles(addresses)[1],
    });
    expect(joining).toContain('QDRANT__CLUSTER__ENABLED=true');
    expect(joining).toMatch(
      /--publish 6335:6335 [\s\S]*qdrant\/qdrant:v1\.18\.2-unprivileged \\\n {2}\.\/qdrant --uri 'http:\/\/10\.0\.64\.16:6335' --bootstrap 'http:\/\/10\.0\.0\.16:6335'\n$/,
    );
  });
});

describe('Redis', () => {
  it('keeps its snapshot and maintenance windows apart, across midnight and the week too', () => {
    expect(windowsOverlap(REDIS_SNAPSHOT_WINDOW, REDIS_MAINTENANCE_WINDOW)).toBe(false);
    expect(windowsOverlap('07:30-08:30', 'sun:07:00-sun:08:00')).toBe(true);
    expect(windowsOverlap('23:30-00:30', 'mon:00:00-mon:01:00')).toBe(true);
    expect(windowsOverlap('05:00-06:00', 'sat:23:00-sun:01:00')).toBe(false);
  });

  it('builds a TLS URL carrying the auth token, as a secret', async () => {
    const url = redisUrl('master.cache.amazonaws.com', 'token123');
    expect(await valueOf(url)).toBe('rediss://:token123@master.cache.amazonaws.com:6379');
    expect(await pulumi.isSecret(url)).toBe(true);
  });
});

describe('task', () => {
  it('checks liveness inside the task with Node itself, giving the server time to start', () => {
    const check = livenessCheck(3000, '/health/live') as { command: string[]; startPeriod: number };
    expect(check.command.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    expect(check.command[3]).toContain("fetch('http://127.0.0.1:3000/health/live')");
    expect(check.startPeriod).toBeGreaterThanOrEqual(30);
  });

  it('derives the repository of an ECR image and ignores other registries', () => {
    expect(
      ecrRepositoryArn(
        `123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/lorechat@sha256:${'a'.repeat(64)}`,
      ),
    ).toBe('arn:aws:ecr:eu-west-1:123456789012:repository/team/lorechat');
    expect(ecrRepositoryArn('ghcr.io/lorechat/backend:1.0')).toBeUndefined();
  });
});

describe('models', () => {
  it('copies a system inference profile of the account, or a foundation model of the region', async () => {
    expect(
      await valueOf(
        inferenceProfileSource('eu.amazon.nova-lite-v1:0', 'eu-west-1', '111122223333'),
      ),
    ).toBe('arn:aws:bedrock:eu-west-1:111122223333:inference-profile/eu.amazon.nova-lite-v1:0');
    expect(
      await valueOf(inferenceProfileSource('amazon.nova-lite-v1:0', 'eu-west-1', '111122223333')),
    ).toBe('arn:aws:bedrock:eu-west-1::foundation-model/amazon.nova-lite-v1:0');
  });
});

describe('backend', () => {
  const base = {
    stack: 'dev',
    aws: { region: 'eu-west-1', allowedAccountIds: '["123456789012"]' },
    secretsSet: new Set<never>(),
  };
  const image = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/lorechat@sha256:${'a'.repeat(64)}`;

  it('collects the Bedrock models of answers and embeddings, each once', () => {
    const config = parseStackConfig({
      ...base,
      values: {
        imageUri: image,
        llmProvider: 'bedrock',
        llmModel: 'amazon.nova-lite-v1:0',
        embeddingProvider: 'bedrock',
        embeddingModel: 'amazon.titan-embed-text-v2:0',
      },
    });
    expect(bedrockModelIds(config)).toEqual([
      'amazon.nova-lite-v1:0',
      'amazon.titan-embed-text-v2:0',
    ]);
    expect(bedrockModelIds(parseStackConfig({ ...base, values: { imageUri: image } }))).toEqual([]);
  });

  it('grants a foundation model in the region, or an inference profile and its model anywhere', async () => {
    const arns = bedrockResourceArns(
      ['amazon.titan-embed-text-v2:0', 'eu.amazon.nova-lite-v1:0'],
      'eu-west-1',
      '123456789012',
    );
    expect(await valueOf(pulumi.all(arns))).toEqual([
      'arn:aws:bedrock:eu-west-1::foundation-model/amazon.titan-embed-text-v2:0',
      'arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.amazon.nova-lite-v1:0',
      'arn:aws:bedrock:*::foundation-model/amazon.nova-lite-v1:0',
    ]);
  });

  it('writes the widget snippet and a runnable ingest command', () => {
    expect(widgetScriptTag('https://chat.example.org', 'docs')).toBe(
      '<script src="https://chat.example.org/widget.js" data-site-key="docs" async></script>',
    );
    const command = ingestRunTaskCommand({
      region: 'eu-west-1',
      clusterName: 'cluster-1',
      taskDefinitionFamily: 'lorechat-dev',
      containerName: 'lorechat',
      subnetIds: ['subnet-a', 'subnet-b'],
      securityGroupId: 'sg-1',
    });
    expect(command).toBe(
      'aws ecs run-task --region eu-west-1 --cluster cluster-1 --task-definition lorechat-dev ' +
        '--capacity-provider-strategy capacityProvider=FARGATE_SPOT,weight=1 ' +
        "--network-configuration 'awsvpcConfiguration={subnets=[subnet-a,subnet-b],securityGroups=[sg-1],assignPublicIp=ENABLED}' " +
        '--overrides \'{"containerOverrides":[{"name":"lorechat","command":["node","dist/cli.js","ingest","--site","https://www.example.com"]}]}\'',
    );
  });
});

describe('providers', () => {
  it('gives both providers the account guard, role, profile and standard tags, each in its region', () => {
    const shared = {
      region: 'eu-west-1',
      profile: 'ops',
      allowedAccountIds: ['111122223333'],
      assumeRoles: [{ roleArn: 'arn:aws:iam::111122223333:role/lorechat-dev-deploy' }],
      tags: standardTags('lorechat', 'dev'),
    };
    const regional = providerArgs(shared, 'eu-west-1');
    const { region, ...edge } = providerArgs(shared, 'us-east-1');
    expect([regional.region, region]).toEqual(['eu-west-1', 'us-east-1']);
    expect(edge).toEqual({
      profile: 'ops',
      allowedAccountIds: ['111122223333'],
      assumeRoles: shared.assumeRoles,
      defaultTags: { tags: { Project: 'lorechat', Environment: 'dev', ManagedBy: 'pulumi' } },
    });
  });
});

describe('inventory', () => {
  it('counts resources by type, most numerous first, and explains remote components', () => {
    const resource = (type: string, name: string) => ({ type, name }) as RecordedResource;
    const rows = inventoryOf([
      resource('aws:iam/role:Role', 'task'),
      resource('awsx:ec2:Vpc', 'vpc'),
      resource('aws:iam/role:Role', 'execution'),
    ]);
    expect(rows).toEqual([
      { type: 'aws:iam/role:Role', count: 2, names: ['execution', 'task'] },
      { type: 'awsx:ec2:Vpc', count: 1, names: ['vpc'] },
    ]);
    const text = formatInventory('dev', rows);
    expect(text).toContain('Resource inventory of stack "dev": 3 resources of 2 types');
    expect(text).toContain('awsx:ec2:Vpc: the VPC, an internet gateway');
  });
});
