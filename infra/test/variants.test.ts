import { type ProgramRun, runProgram } from '../simulation/runProgram';
import { allOf, container, input, isSecret, oneOf, rolePolicy } from './support/recorded';

/**
 * The paths no stack file takes: a hosted model with its key, a managed Qdrant cluster, a model
 * server on its own port, an image from another account's registry, geo blocking. One run of the
 * dev stack with overrides.
 */
describe('dev with a hosted model, managed Qdrant, an image from another account and geo blocking', () => {
  const qdrantUrl = 'https://cluster-1.eu-central-1-0.aws.cloud.qdrant.io:6333';
  // An image in another account's registry, such as a shared tools account that CI pushes to.
  const imageUri = `210987654321.dkr.ecr.eu-west-1.amazonaws.com/lorechat@sha256:${'b'.repeat(64)}`;
  let run: ProgramRun;

  beforeAll(async () => {
    run = await runProgram('dev', {
      'lorechat:llmProvider': 'openai',
      'lorechat:llmBaseUrl': 'http://models.internal.example:11434/v1',
      'lorechat:embeddingProvider': 'openai',
      'lorechat:openaiApiKey': { secure: 'v1:encrypted-openai-key' },
      'lorechat:vectorDbMode': 'managed',
      'lorechat:qdrantUrl': qdrantUrl,
      'lorechat:qdrantApiKey': { secure: 'v1:encrypted-qdrant-key' },
      'lorechat:imageUri': imageUri,
      'lorechat:geoBlockCountries': ['KP', 'IR'],
      'lorechat:ingestSiteUrl': 'http://intranet.lorechat.test:8080',
    });
  });

  it('stores the provider key in Secrets Manager and hands it over as a secret only', () => {
    const definition = container(run);
    expect(definition.secrets.map((secret) => secret.name).sort()).toEqual([
      'ADMIN_TOKEN',
      'DATABASE_URL',
      'OPENAI_API_KEY',
      'QDRANT_API_KEY',
      'VISITOR_TOKEN_SECRET',
    ]);
    for (const { value } of definition.environment) {
      expect(value).not.toContain('simulated-secret');
    }
    const stored = allOf(run, 'aws:secretsmanager/secretVersion:SecretVersion').map((version) => {
      expect(isSecret(version.inputs.secretString)).toBe(true);
      return JSON.parse(input<string>(version, 'secretString')) as Record<string, string>;
    });
    expect(stored).toEqual(
      expect.arrayContaining([
        { OPENAI_API_KEY: expect.stringMatching(/^simulated-secret-lorechat:openaiApiKey-/) },
        { QDRANT_API_KEY: expect.stringMatching(/^simulated-secret-lorechat:qdrantApiKey-/) },
      ]),
    );
  });

  it('points at the managed Qdrant cluster and runs no Qdrant instance', () => {
    expect(allOf(run, 'aws:ec2/instance:Instance')).toEqual([]);
    expect(allOf(run, 'aws:ebs/volume:Volume')).toEqual([]);
    const environment = Object.fromEntries(
      container(run).environment.map(({ name, value }) => [name, value]),
    );
    expect(environment).toMatchObject({
      QDRANT_URL: qdrantUrl,
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: 'http://models.internal.example:11434/v1',
      EMBEDDING_PROVIDER: 'openai',
    });
  });

  it('opens the tasks’ egress to the ports of the configured endpoints and the crawled site only', () => {
    const service = oneOf(run, 'aws:ec2/securityGroup:SecurityGroup', 'lorechat-dev-service');
    const ports = allOf(run, 'aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule')
      // To the internet: the database, inside the VPC, is reached by security group instead.
      .filter((rule) => rule.inputs.securityGroupId === service.id && rule.inputs.cidrIpv4)
      .map((rule) => rule.inputs.fromPort);
    expect(ports.sort()).toEqual([11434, 443, 6333, 8080]);
  });

  it('runs an image from another account and may pull only from its repository', () => {
    expect(container(run).image).toBe(imageUri);
    const pull = rolePolicy(run, 'lorechat-dev-execution').Statement.find(
      (statement) => statement.Sid === 'PullImage',
    );
    expect(pull?.Resource).toBe('arn:aws:ecr:eu-west-1:210987654321:repository/lorechat');
  });

  it('blocks the configured countries before any other rule', () => {
    const [first] = input<{ name: string; priority: number; statement: unknown }[]>(
      oneOf(run, 'aws:wafv2/webAcl:WebAcl'),
      'rules',
    );
    expect(first).toMatchObject({
      name: 'geo-block',
      priority: 0,
      statement: { geoMatchStatement: { countryCodes: ['KP', 'IR'] } },
    });
  });

  it('gives the task role no Bedrock access', () => {
    expect(
      allOf(run, 'aws:iam/rolePolicy:RolePolicy').filter((policy) =>
        policy.name.endsWith('-bedrock'),
      ),
    ).toEqual([]);
  });
});
