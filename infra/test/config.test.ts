import {
  CONFIG_DEFAULTS,
  SECRET_KEYS,
  StackConfigError,
  parseStackConfig,
  requiredSecret,
  type ConfigKey,
  type RawStackConfig,
  type SecretKey,
} from '../config';
import { engineConfig, isSecure, readProjectFile, readStackFile } from '../simulation/stackFiles';
import { stackConfigOf } from './support/stackSuite';

const STACKS = ['dev', 'staging', 'prod'];
const IMAGE = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/lorechat@sha256:${'a'.repeat(64)}`;

function raw(
  values: Partial<Record<ConfigKey, string>> = {},
  secrets: SecretKey[] = [],
  overrides: Partial<RawStackConfig> = {},
): RawStackConfig {
  return {
    stack: 'dev',
    aws: { region: 'eu-west-1', allowedAccountIds: '["123456789012"]' },
    values: { imageUri: IMAGE, ...values },
    secretsSet: new Set(secrets),
    ...overrides,
  };
}

function problemsOf(config: RawStackConfig): string[] {
  try {
    parseStackConfig(config);
  } catch (error) {
    if (error instanceof StackConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('Pulumi.yaml', () => {
  const schema = readProjectFile().config ?? {};
  const projectKeys = Object.keys(schema).filter((key) => !key.includes(':'));

  it('declares every key config.ts reads, and no other', () => {
    expect(projectKeys.sort()).toEqual([...Object.keys(CONFIG_DEFAULTS), ...SECRET_KEYS].sort());
  });

  it('gives each key the type, default and a description that config.ts agrees with', () => {
    const typeOf = (value: unknown) =>
      Array.isArray(value) ? 'array' : typeof value === 'number' ? 'integer' : typeof value;
    for (const key of projectKeys) {
      const entry = schema[key] as { type: string; default: unknown; description?: string };
      const expectedDefault = (CONFIG_DEFAULTS as Record<string, unknown>)[key] ?? '';
      expect([key, entry.type, entry.default]).toEqual([
        key,
        typeOf(expectedDefault),
        expectedDefault,
      ]);
      expect(entry.description?.length).toBeGreaterThan(10);
    }
  });
});

describe.each(STACKS)('Pulumi.%s.yaml', (stack) => {
  const values = readStackFile(stack).config ?? {};

  it('as committed, stops a preview up front, naming every value the operator must set', () => {
    const { values: engine, secretKeys } = engineConfig(stack);
    const lorechat: Partial<Record<ConfigKey, string>> = {};
    for (const [key, value] of Object.entries(engine)) {
      if (key.startsWith('lorechat:')) lorechat[key.slice('lorechat:'.length) as ConfigKey] = value;
    }
    const problems = problemsOf({
      stack,
      aws: { region: engine['aws:region'], allowedAccountIds: engine['aws:allowedAccountIds'] },
      values: lorechat,
      secretsSet: new Set(SECRET_KEYS.filter((key) => secretKeys.includes(`lorechat:${key}`))),
    });
    const named = problems.map((problem) => /^([\w:]+)/.exec(problem)?.[1]).sort();
    const placeholders = [
      'lorechat:domainName',
      'lorechat:hostedZoneId',
      'lorechat:alarmEmail',
    ].filter((key) => values[key] !== undefined);
    expect(named).toEqual(['aws:allowedAccountIds', 'lorechat:imageUri', ...placeholders].sort());
  });

  it('deploys once the operator has set them', () => {
    expect(() => stackConfigOf(stack)).not.toThrow();
  });

  it('sets only keys Pulumi.yaml declares, so a typo cannot go unnoticed', () => {
    const declared = Object.keys(readProjectFile().config ?? {});
    for (const key of Object.keys(values)) {
      if (key.startsWith('aws:')) continue;
      expect(declared).toContain(key.replace(/^lorechat:/, ''));
    }
  });

  it('holds no secret in plain text', () => {
    for (const key of SECRET_KEYS) {
      const value = values[`lorechat:${key}`];
      if (value !== undefined) expect(isSecure(value)).toBe(true);
    }
    for (const [key, value] of Object.entries(values)) {
      if (/key|token|password|secret/i.test(key))
        expect([key, isSecure(value)]).toEqual([key, true]);
    }
  });
});

describe('parseStackConfig', () => {
  it('takes prod with a three-node Qdrant cluster across three zones, or a managed cluster instead', () => {
    const prod = { availabilityZones: '3', deletionProtection: 'true' };
    expect(parseStackConfig(raw({ ...prod, qdrantNodes: '3' })).vectorDb).toMatchObject({
      mode: 'self-hosted',
      nodes: 3,
      restoreSnapshotIds: [],
    });
    expect(
      parseStackConfig(
        raw(
          { ...prod, vectorDbMode: 'managed', qdrantUrl: 'https://cluster.cloud.qdrant.io:6333' },
          ['qdrantApiKey'],
        ),
      ).vectorDb,
    ).toEqual({ mode: 'managed', url: 'https://cluster.cloud.qdrant.io:6333' });
  });

  it('runs on the defaults: one Spot task, self-hosted Qdrant, no Redis, no domain', () => {
    const config = parseStackConfig(raw());
    expect(config).toMatchObject({
      stack: 'dev',
      region: 'eu-west-1',
      resourcePrefix: 'lorechat-dev',
      deletionProtection: false,
      network: { availabilityZones: 2, vpcCidr: '10.0.0.0/16' },
      service: {
        cpu: 256,
        memory: 512,
        minTasks: 1,
        maxTasks: 2,
        capacity: { onDemandBase: 0, onDemandWeight: 0, spotWeight: 1 },
      },
      llm: { provider: 'extractive' },
      vectorDb: { mode: 'self-hosted', instanceType: 't4g.small' },
      imageUri: IMAGE,
      allowedAccountIds: ['123456789012'],
    });
    expect(config.domain).toBeUndefined();
    expect(config.cache).toBeUndefined();
  });

  it('reads typed values, lists as JSON, and treats empty strings as not set', () => {
    const config = parseStackConfig(
      raw({
        availabilityZones: '3',
        deletionProtection: 'true',
        geoBlockCountries: '["KP","IR"]',
        redisEnabled: 'true',
        redisReplicas: '1',
        domainName: 'chat.lorechat.test',
        hostedZoneId: 'Z0123456789ABCDEF',
        llmModel: '',
      }),
    );
    expect(config.network.availabilityZones).toBe(3);
    expect(config.deletionProtection).toBe(true);
    expect(config.edge.blockedCountries).toEqual(['KP', 'IR']);
    expect(config.cache).toEqual({ nodeType: 'cache.t4g.micro', replicas: 1, snapshotDays: 1 });
    expect(config.domain).toEqual({
      name: 'chat.lorechat.test',
      hostedZoneId: 'Z0123456789ABCDEF',
    });
    expect(config.llm.model).toBeUndefined();
  });

  it('names each bad key and what is allowed, all at once', () => {
    const problems = problemsOf(
      raw({
        availabilityZones: 'two',
        taskCpu: '300',
        logRetentionDays: '10',
        llmProvider: 'gpt',
        deletionProtection: 'yes',
        geoBlockCountries: '["north korea"]',
        qdrantInstanceType: 't3.small',
      }),
    );
    expect(problems).toEqual([
      'lorechat:availabilityZones must be a whole number (got "two")',
      'lorechat:geoBlockCountries must be a list of two-letter ISO 3166 country codes such as "KP" (got "["north korea"]")',
      'lorechat:deletionProtection must be true or false (got "yes")',
      expect.stringMatching(
        /^lorechat:logRetentionDays must be one of: 1, 3, 5, 7, 14, 30, .* \(got "10"\)$/,
      ),
      expect.stringMatching(/^lorechat:taskCpu must be one of: 256, 512, .* \(got "300"\)$/),
      'lorechat:llmProvider must be one of: extractive, openai, anthropic, bedrock (got "gpt")',
      'lorechat:qdrantInstanceType must be a Graviton (arm64) instance type such as t4g.small (got "t3.small")',
    ]);
  });

  it.each<[string, Partial<Record<ConfigKey, string>>, SecretKey[], unknown]>([
    [
      'a domain without its zone',
      { domainName: 'chat.lorechat.test' },
      [],
      'lorechat:hostedZoneId is required when lorechat:domainName is set',
    ],
    [
      'a zone without a domain',
      { hostedZoneId: 'Z0123456789ABCDEF' },
      [],
      'lorechat:domainName is required when lorechat:hostedZoneId is set',
    ],
    [
      'memory the CPU size does not allow',
      { taskCpu: '1024', taskMemory: '1024' },
      [],
      'lorechat:taskMemory must be one of 2048, 3072, 4096, 5120, 6144, 7168, 8192 when lorechat:taskCpu is 1024 (got 1024)',
    ],
    [
      'more minimum than maximum tasks',
      { minTasks: '3', maxTasks: '2' },
      [],
      'lorechat:minTasks (3) must not exceed lorechat:maxTasks (2)',
    ],
    [
      'an on-demand base above the maximum',
      { onDemandBaseTasks: '3' },
      [],
      'lorechat:onDemandBaseTasks (3) must not exceed lorechat:maxTasks (2)',
    ],
    [
      'no capacity weight at all',
      { spotWeight: '0' },
      [],
      'lorechat:onDemandWeight and lorechat:spotWeight must not both be 0',
    ],
    [
      'a chat limit looser than the global one',
      { wafRateLimit: '100', wafChatRateLimit: '200' },
      [],
      'lorechat:wafChatRateLimit must not exceed lorechat:wafRateLimit (200 > 100): it is the tighter limit',
    ],
    [
      'a stop timeout beyond what Fargate allows',
      { stopTimeoutSeconds: '300' },
      [],
      'lorechat:stopTimeoutSeconds must be from 2 to 120 (got "300")',
    ],
    [
      'Bedrock without a model id',
      { llmProvider: 'bedrock' },
      [],
      'lorechat:llmModel is required when llmProvider is bedrock',
    ],
    [
      'Bedrock embeddings without a model id',
      { embeddingProvider: 'bedrock' },
      [],
      'lorechat:embeddingModel is required when embeddingProvider is bedrock',
    ],
    [
      'OpenAI without a key',
      { llmProvider: 'openai' },
      [],
      'lorechat:openaiApiKey is required when llmProvider is openai: set it with `pulumi config set --secret lorechat:openaiApiKey <value>`',
    ],
    [
      'Anthropic without a key',
      { llmProvider: 'anthropic' },
      [],
      'lorechat:anthropicApiKey is required when llmProvider is anthropic: set it with `pulumi config set --secret lorechat:anthropicApiKey <value>`',
    ],
    [
      'a key no provider uses',
      {},
      ['anthropicApiKey'],
      'lorechat:anthropicApiKey is set but unused: llmProvider is not anthropic',
    ],
    [
      'managed Qdrant without its URL',
      { vectorDbMode: 'managed' },
      ['qdrantApiKey'],
      'lorechat:qdrantUrl is required when vectorDbMode is managed',
    ],
    [
      'managed Qdrant over plain HTTP',
      { vectorDbMode: 'managed', qdrantUrl: 'http://qdrant.example.org:6333' },
      ['qdrantApiKey'],
      'lorechat:qdrantUrl must be an https URL (got "http://qdrant.example.org:6333")',
    ],
    [
      'a Qdrant URL with self-hosted Qdrant',
      { qdrantUrl: 'https://qdrant.example.org' },
      [],
      'lorechat:qdrantUrl is only used when vectorDbMode is managed',
    ],
    [
      'a two-node Qdrant cluster, which survives no lost node',
      { qdrantNodes: '2' },
      [],
      'lorechat:qdrantNodes must be 1 or an odd number from 3 (got 2): the cluster needs a majority of its nodes to agree, so 2 nodes survive no more losses than 1',
    ],
    [
      'more Qdrant nodes than zones',
      { qdrantNodes: '3' },
      [],
      'lorechat:qdrantNodes (3) must not exceed lorechat:availabilityZones (2): each node runs in its own zone, so a lost zone takes one node; raise availabilityZones to 3',
    ],
    [
      'a Qdrant node count for a managed cluster',
      { vectorDbMode: 'managed', qdrantUrl: 'https://qdrant.example.org', qdrantNodes: '3' },
      ['qdrantApiKey'],
      'lorechat:qdrantNodes is only used when vectorDbMode is self-hosted: the managed cluster sizes itself in Qdrant Cloud (remove it with `pulumi config rm lorechat:qdrantNodes`)',
    ],
    [
      'fewer restore snapshots than Qdrant nodes',
      {
        availabilityZones: '3',
        qdrantNodes: '3',
        qdrantRestoreSnapshotIds: '["snap-0123456789abcdef0"]',
      },
      [],
      'lorechat:qdrantRestoreSnapshotIds must hold one snapshot per Qdrant node, in node order (3 for lorechat:qdrantNodes 3; got 1)',
    ],
    [
      'a restore snapshot id that is not one',
      { qdrantRestoreSnapshotIds: '["ami-0123456789abcdef0"]' },
      [],
      'lorechat:qdrantRestoreSnapshotIds must be a list of EBS snapshot ids such as "snap-0123456789abcdef0", one per Qdrant node (got "["ami-0123456789abcdef0"]")',
    ],
    [
      'Qdrant snapshots during the nightly crawl',
      { ingestSiteUrl: 'https://www.example.org', qdrantSnapshotTime: '04:30' },
      [],
      'lorechat:qdrantSnapshotTime (04:30 UTC) must be at least 2 hours from the nightly crawl (lorechat:ingestSchedule cron(0 3 * * ? *)): a snapshot taken mid-crawl holds a half-written index',
    ],
    [
      'a Qdrant snapshot time that is not a time',
      { qdrantSnapshotTime: '25:00' },
      [],
      'lorechat:qdrantSnapshotTime must be a UTC time of day as hh:mm, such as 06:00 (got "25:00")',
    ],
    [
      'a VPC too small for the Qdrant nodes’ reserved addresses',
      { vpcCidr: '10.0.0.0/24' },
      [],
      'lorechat:vpcCidr must be /22 or larger with self-hosted Qdrant (got 10.0.0.0/24): each node has a reserved /28 in its zone’s subnet, a sixteenth of the VPC',
    ],
    [
      'Redis snapshots kept longer than ElastiCache allows',
      { redisEnabled: 'true', redisSnapshotDays: '40' },
      [],
      'lorechat:redisSnapshotDays must be from 0 to 35 (got "40")',
    ],
    [
      'an image by tag, which a later push could change',
      { imageUri: 'ghcr.io/lorechat/backend:1.0.0' },
      [],
      expect.stringMatching(/^lorechat:imageUri must be an image reference by digest/),
    ],
    [
      'no image at all: a preview never builds one',
      { imageUri: '' },
      [],
      expect.stringMatching(/^lorechat:imageUri is required: the arm64 image CI built, by digest/),
    ],
    [
      'a chat limit below what AWS WAF accepts',
      { wafChatRateLimit: '5' },
      [],
      'lorechat:wafChatRateLimit must be 0 (off) or from 10 to 2000000000 (got "5")',
    ],
    [
      "the repository's example hosted zone",
      { domainName: 'chat.lorechat.test', hostedZoneId: 'Z0123456789EXAMPLE0000' },
      [],
      expect.stringMatching(
        /^lorechat:hostedZoneId is still the repository's example value "Z0123456789EXAMPLE0000"/,
      ),
    ],
    [
      'an alarm address nobody can read',
      { alarmEmail: 'ops@example.com' },
      [],
      expect.stringMatching(/^lorechat:alarmEmail is still the repository's example value/),
    ],
  ])('rejects %s', (_case, values, secrets, problem) => {
    expect(problemsOf(raw(values, secrets))).toEqual([problem]);
  });

  it('lets an OpenAI-compatible server run without a key', () => {
    const config = parseStackConfig(
      raw({ llmProvider: 'openai', llmBaseUrl: 'http://ollama.internal:11434/v1/' }),
    );
    expect(config.llm).toEqual({
      provider: 'openai',
      baseUrl: 'http://ollama.internal:11434/v1',
      model: undefined,
    });
  });

  it('requires a region, the account ids and a stack name that fits in AWS resource names', () => {
    expect(problemsOf(raw({}, [], { aws: {} }))).toEqual([
      'aws:region is required: set it with `pulumi config set aws:region <region>`',
      expect.stringMatching(
        /^aws:allowedAccountIds is required, so a stack can never change another account/,
      ),
    ]);
    expect(
      problemsOf(
        raw({}, [], { aws: { region: 'eu-west-1', allowedAccountIds: '["111122223333"]' } }),
      ),
    ).toEqual([
      expect.stringMatching(/^aws:allowedAccountIds still holds the repository's example account/),
    ]);
    expect(
      problemsOf(raw({}, [], { aws: { region: 'eu-west-1', allowedAccountIds: '["12345"]' } })),
    ).toEqual(['aws:allowedAccountIds must be a list of 12-digit AWS account ids (got ["12345"])']);
    expect(problemsOf(raw({ environment: 'prod' }, [], { stack: 'Production-Europe' }))).toEqual([
      expect.stringMatching(
        /^the stack name "Production-Europe" must be 1 to 12 lowercase letters/,
      ),
    ]);
  });

  it('reads the roles both providers assume', () => {
    const roleArn = 'arn:aws:iam::123456789012:role/lorechat-dev-deploy';
    const config = parseStackConfig(
      raw({}, [], {
        aws: {
          region: 'eu-west-1',
          allowedAccountIds: '["123456789012"]',
          assumeRoles: JSON.stringify([{ roleArn }]),
        },
      }),
    );
    expect(config.assumeRoles).toEqual([{ roleArn }]);
  });

  it('hands over a secret that validation required, and refuses one that is missing', () => {
    expect(() => requiredSecret({}, 'qdrantApiKey')).toThrow('lorechat:qdrantApiKey is required');
  });
});
