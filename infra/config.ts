import {
  EMBEDDING_PROVIDERS,
  type EmbeddingProviderName,
  LLM_PROVIDERS,
  LOG_LEVELS,
  type LlmProviderName,
  type LogLevelName,
} from '@lorechat/contracts';
import * as pulumi from '@pulumi/pulumi';

/**
 * The one typed, validated stack configuration. Every `lorechat:*` key is read here, once, before any
 * resource exists; components receive plain typed values and never read config themselves. Stacks
 * differ only through their `Pulumi.<stack>.yaml` files and the defaults below, which Pulumi.yaml
 * repeats for the CLI (a test keeps the two in step).
 */

export const PROJECT = 'lorechat';

export const VECTOR_DB_MODES = ['self-hosted', 'managed'] as const;
export type VectorDbMode = (typeof VECTOR_DB_MODES)[number];

export const PRICE_CLASSES = ['PriceClass_100', 'PriceClass_200', 'PriceClass_All'] as const;
export type PriceClass = (typeof PRICE_CLASSES)[number];

/** The retention periods CloudWatch Logs accepts; any other number is refused by the API. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288,
  3653,
] as const;

/** Fargate task sizes: vCPU units and the memory (MiB) each allows. */
export const FARGATE_MEMORY_BY_CPU: Readonly<Record<number, readonly number[]>> = {
  256: [512, 1024, 2048],
  512: range(1024, 4096, 1024),
  1024: range(2048, 8192, 1024),
  2048: range(4096, 16384, 1024),
  4096: range(8192, 30720, 1024),
  8192: range(16384, 61440, 4096),
  16384: range(32768, 122880, 8192),
};

/** Keys whose values are secrets: set them with `pulumi config set --secret`. */
export const SECRET_KEYS = ['openaiApiKey', 'anthropicApiKey', 'qdrantApiKey'] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

/**
 * Every non-secret key and its default. An empty string means "not set". Pulumi.yaml declares the
 * same keys with the same defaults so the CLI can show and type-check them.
 */
export const CONFIG_DEFAULTS = {
  availabilityZones: 2,
  vpcCidr: '10.0.0.0/16',
  domainName: '',
  hostedZoneId: '',
  priceClass: 'PriceClass_100',
  wafRateLimit: 2000,
  wafChatRateLimit: 600,
  geoBlockCountries: [] as string[],
  deletionProtection: false,
  logRetentionDays: 14,
  taskCpu: 256,
  taskMemory: 512,
  minTasks: 1,
  maxTasks: 2,
  onDemandBaseTasks: 0,
  onDemandWeight: 0,
  spotWeight: 1,
  cpuTargetPercent: 60,
  requestsPerTargetPerMinute: 1000,
  stopTimeoutSeconds: 120,
  logLevel: 'log',
  llmProvider: 'extractive',
  llmModel: '',
  llmBaseUrl: '',
  embeddingProvider: 'none',
  embeddingModel: '',
  vectorDbMode: 'self-hosted',
  qdrantUrl: '',
  qdrantVersion: 'v1.18.2',
  qdrantInstanceType: 't4g.small',
  qdrantVolumeSizeGiB: 20,
  qdrantSnapshotsKept: 7,
  redisEnabled: false,
  redisNodeType: 'cache.t4g.micro',
  redisReplicas: 0,
  imageUri: '',
  imagesKept: 10,
  siteKey: 'main',
  ingestSiteUrl: '',
  ingestSchedule: 'cron(0 3 * * ? *)',
  connectionsPerTask: 100,
  alarmEmail: '',
  alarm5xxPercent: 5,
  alarmResponseTimeP95Ms: 2000,
  alarmFirstTokenP95Ms: 5000,
  alarmProviderErrorPercent: 5,
  alarmCpuPercent: 85,
  alarmMemoryPercent: 85,
  alarmWafBlockedRequests: 500,
  monthlyBudgetUsd: 50,
};

export type ConfigKey = keyof typeof CONFIG_DEFAULTS;

export interface StackConfig {
  stack: string;
  region: string;
  /** Named AWS profile from `aws:profile`, passed on to the extra us-east-1 provider. */
  awsProfile?: string;
  /** `lorechat-<stack>`: the start of every resource name, so stacks sharing an account stay apart. */
  resourcePrefix: string;
  /** Protects stateful resources and keeps logs and images on destroy. */
  deletionProtection: boolean;
  logRetentionDays: number;
  network: { availabilityZones: number; vpcCidr: string };
  /** Set when the stack serves LoreChat on its own domain instead of the CloudFront one. */
  domain?: { name: string; hostedZoneId: string };
  edge: {
    priceClass: PriceClass;
    /** Requests per IP per 5 minutes, all paths. */
    rateLimit: number;
    /** Requests per IP per 5 minutes on the chat transport (`/socket.io/`). */
    chatRateLimit: number;
    blockedCountries: string[];
  };
  service: {
    cpu: number;
    memory: number;
    minTasks: number;
    maxTasks: number;
    capacity: { onDemandBase: number; onDemandWeight: number; spotWeight: number };
    cpuTargetPercent: number;
    requestsPerTargetPerMinute: number;
    /** Open chat connections per task that connection-based scaling aims for. */
    connectionsPerTask: number;
    /** Seconds between SIGTERM and SIGKILL; also the load balancer's draining time. */
    stopTimeoutSeconds: number;
    logLevel: LogLevelName;
  };
  llm: { provider: LlmProviderName; model?: string; baseUrl?: string };
  embeddings: { provider: EmbeddingProviderName; model?: string };
  vectorDb:
    | {
        mode: 'self-hosted';
        version: string;
        instanceType: string;
        volumeSizeGiB: number;
        snapshotsKept: number;
      }
    | { mode: 'managed'; url: string };
  cache?: { nodeType: string; replicas: number };
  image: { prebuiltUri?: string; imagesKept: number };
  siteKey: string;
  ingestSiteUrl?: string;
  /** The nightly crawl: an EventBridge Scheduler expression, in UTC. Needs `ingestSiteUrl`. */
  ingestSchedule?: string;
  monitoring: {
    /** Where alarms and budget warnings are mailed; without it they only reach the SNS topic. */
    alarmEmail?: string;
    thresholds: AlarmThresholds;
  };
  /** The monthly AWS Budgets limit, in US dollars. */
  monthlyBudgetUsd: number;
}

/** When each alarm fires; see docs/operations.md for what to do then. */
export interface AlarmThresholds {
  /** 5xx responses as a share of requests, at the load balancer and at the targets. */
  http5xxPercent: number;
  responseTimeP95Ms: number;
  firstTokenP95Ms: number;
  providerErrorPercent: number;
  cpuPercent: number;
  memoryPercent: number;
  /** Requests the WAF blocks in 5 minutes. */
  wafBlockedRequests: number;
}

/** The configured secrets, each an Output marked secret so Pulumi encrypts it in state. */
export type StackSecrets = Partial<Record<SecretKey, pulumi.Output<string>>>;

export class StackConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(
      `Invalid stack configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
    this.name = 'StackConfigError';
  }
}

export interface RawStackConfig {
  stack: string;
  /** `aws:region` and `aws:profile`. */
  aws: { region?: string; profile?: string };
  /** `lorechat:*` values as Pulumi hands them over: strings, with arrays as JSON text. */
  values: Partial<Record<ConfigKey, string>>;
  /** Which secret keys have a value; their values never reach validation. */
  secretsSet: ReadonlySet<SecretKey>;
}

/**
 * Validates raw configuration and returns the typed stack configuration. Every problem is reported
 * at once, each naming its key and what is allowed, so a bad stack file is fixed in one round.
 */
export function parseStackConfig(raw: RawStackConfig): StackConfig {
  const read = new ConfigReader(raw.values);
  const problems = read.problems;
  /** Not set, as opposed to set to something invalid (which is reported already). */
  const unset = (key: ConfigKey, value: string | undefined) => !value && !read.hasProblemFor(key);

  if (!/^[a-z0-9][a-z0-9-]{0,11}$/.test(raw.stack)) {
    problems.push(
      `the stack name "${raw.stack}" must be 1 to 12 lowercase letters, digits or hyphens (it starts AWS resource names, which have length limits)`,
    );
  }
  const region = raw.aws.region ?? '';
  if (!/^[a-z]{2}(-[a-z]+)+-\d$/.test(region)) {
    problems.push(
      region
        ? `aws:region must be an AWS region such as eu-west-1 (got "${region}")`
        : 'aws:region is required: set it with `pulumi config set aws:region <region>`',
    );
  }

  const availabilityZones = read.integer('availabilityZones', 2, 6);
  const vpcCidr = read.matching(
    'vpcCidr',
    /^(\d{1,3}\.){3}\d{1,3}\/(1[6-9]|2[0-4])$/,
    'an IPv4 CIDR block from /16 to /24',
  );
  const domainName = read.optionalMatching(
    'domainName',
    /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'a lowercase DNS name such as chat.example.com',
  );
  const hostedZoneId = read.optionalMatching(
    'hostedZoneId',
    /^Z[A-Z0-9]{4,31}$/,
    'a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ',
  );
  if (domainName && unset('hostedZoneId', hostedZoneId)) {
    problems.push('lorechat:hostedZoneId is required when lorechat:domainName is set');
  }
  if (hostedZoneId && unset('domainName', domainName)) {
    problems.push('lorechat:domainName is required when lorechat:hostedZoneId is set');
  }

  const priceClass = read.oneOf('priceClass', PRICE_CLASSES);
  // AWS WAF accepts rate limits from 10 requests per evaluation window.
  const rateLimit = read.integer('wafRateLimit', 10, 2_000_000_000);
  const chatRateLimit = read.integer('wafChatRateLimit', 10, 2_000_000_000);
  if (chatRateLimit > rateLimit) {
    problems.push(
      `lorechat:wafChatRateLimit must not exceed lorechat:wafRateLimit (${chatRateLimit} > ${rateLimit}): it is the tighter limit`,
    );
  }
  const blockedCountries = read.stringList(
    'geoBlockCountries',
    /^[A-Z]{2}$/,
    'two-letter ISO 3166 country codes such as "KP"',
  );

  const deletionProtection = read.boolean('deletionProtection');
  const logRetentionDays = read.oneOfNumbers('logRetentionDays', LOG_RETENTION_DAYS);

  const cpu = read.oneOfNumbers('taskCpu', Object.keys(FARGATE_MEMORY_BY_CPU).map(Number));
  const memory = read.integer('taskMemory', 512, 122880);
  const allowedMemory = FARGATE_MEMORY_BY_CPU[cpu];
  if (allowedMemory && !allowedMemory.includes(memory)) {
    problems.push(
      `lorechat:taskMemory must be one of ${allowedMemory.join(', ')} when lorechat:taskCpu is ${cpu} (got ${memory})`,
    );
  }
  const minTasks = read.integer('minTasks', 1, 1000);
  const maxTasks = read.integer('maxTasks', 1, 1000);
  if (minTasks > maxTasks) {
    problems.push(
      `lorechat:minTasks (${minTasks}) must not exceed lorechat:maxTasks (${maxTasks})`,
    );
  }
  const onDemandBase = read.integer('onDemandBaseTasks', 0, 1000);
  if (onDemandBase > maxTasks) {
    problems.push(
      `lorechat:onDemandBaseTasks (${onDemandBase}) must not exceed lorechat:maxTasks (${maxTasks})`,
    );
  }
  const onDemandWeight = read.integer('onDemandWeight', 0, 1000);
  const spotWeight = read.integer('spotWeight', 0, 1000);
  if (onDemandWeight + spotWeight === 0) {
    problems.push('lorechat:onDemandWeight and lorechat:spotWeight must not both be 0');
  }
  const cpuTargetPercent = read.integer('cpuTargetPercent', 10, 90);
  const requestsPerTargetPerMinute = read.integer('requestsPerTargetPerMinute', 1, 1_000_000);
  // Fargate caps the stop timeout at 120 s, which is also the warning Spot gives.
  const stopTimeoutSeconds = read.integer('stopTimeoutSeconds', 2, 120);
  const logLevel = read.oneOf('logLevel', LOG_LEVELS);

  const llmProvider = read.oneOf('llmProvider', LLM_PROVIDERS);
  const llmModel = read.optionalMatching(
    'llmModel',
    /^[\w.:/-]{1,200}$/,
    'a model id such as amazon.nova-lite-v1:0',
  );
  const llmBaseUrl = read.optionalUrl('llmBaseUrl', ['http:', 'https:']);
  const embeddingProvider = read.oneOf('embeddingProvider', EMBEDDING_PROVIDERS);
  const embeddingModel = read.optionalMatching(
    'embeddingModel',
    /^[\w.:/-]{1,200}$/,
    'a model id such as amazon.titan-embed-text-v2:0',
  );
  const secretsSet = raw.secretsSet;
  const needsSecret = (key: SecretKey, why: string) => {
    if (!secretsSet.has(key)) {
      problems.push(
        `lorechat:${key} is required ${why}: set it with \`pulumi config set --secret lorechat:${key} <value>\``,
      );
    }
  };
  // An OpenAI-compatible server (Ollama, vLLM) usually needs no key; api.openai.com always does.
  if (llmProvider === 'openai' && unset('llmBaseUrl', llmBaseUrl)) {
    needsSecret('openaiApiKey', 'when llmProvider is openai');
  }
  if (embeddingProvider === 'openai')
    needsSecret('openaiApiKey', 'when embeddingProvider is openai');
  if (llmProvider === 'anthropic') needsSecret('anthropicApiKey', 'when llmProvider is anthropic');
  // The task role may invoke exactly the configured Bedrock models, so the ids must be explicit.
  if (llmProvider === 'bedrock' && unset('llmModel', llmModel)) {
    problems.push('lorechat:llmModel is required when llmProvider is bedrock');
  }
  if (embeddingProvider === 'bedrock' && unset('embeddingModel', embeddingModel)) {
    problems.push('lorechat:embeddingModel is required when embeddingProvider is bedrock');
  }
  const unused = (key: SecretKey, when: string) => {
    if (secretsSet.has(key)) problems.push(`lorechat:${key} is set but unused: ${when}`);
  };
  if (llmProvider !== 'openai' && embeddingProvider !== 'openai') {
    unused('openaiApiKey', 'neither llmProvider nor embeddingProvider is openai');
  }
  if (llmProvider !== 'anthropic') unused('anthropicApiKey', 'llmProvider is not anthropic');

  const vectorDbMode = read.oneOf('vectorDbMode', VECTOR_DB_MODES);
  const qdrantUrl = read.optionalUrl('qdrantUrl', ['https:']);
  const qdrantVersion = read.matching(
    'qdrantVersion',
    /^v\d+\.\d+\.\d+$/,
    'a Qdrant release tag such as v1.18.2',
  );
  const qdrantInstanceType = read.matching(
    'qdrantInstanceType',
    /^[a-z]+\d+g[a-z]*\.[a-z0-9]+$/,
    'a Graviton (arm64) instance type such as t4g.small',
  );
  const qdrantVolumeSizeGiB = read.integer('qdrantVolumeSizeGiB', 8, 16384);
  const qdrantSnapshotsKept = read.integer('qdrantSnapshotsKept', 1, 1000);
  if (vectorDbMode === 'managed') {
    if (unset('qdrantUrl', qdrantUrl)) {
      problems.push('lorechat:qdrantUrl is required when vectorDbMode is managed');
    }
    needsSecret('qdrantApiKey', 'when vectorDbMode is managed');
  } else {
    if (qdrantUrl) problems.push('lorechat:qdrantUrl is only used when vectorDbMode is managed');
    // The self-hosted instance gets a generated key; a configured one would be silently ignored.
    unused('qdrantApiKey', 'vectorDbMode self-hosted generates its own key');
  }

  const redisEnabled = read.boolean('redisEnabled');
  const redisNodeType = read.matching(
    'redisNodeType',
    /^cache\.[a-z0-9]+\.[a-z0-9]+$/,
    'an ElastiCache node type such as cache.t4g.micro',
  );
  const redisReplicas = read.integer('redisReplicas', 0, 5);

  const imageUri = read.optionalMatching(
    'imageUri',
    /^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+(:[\w.-]+|@sha256:[a-f0-9]{64})$/,
    'an image reference with a tag or digest, such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/lorechat:1.0.0',
  );
  const imagesKept = read.integer('imagesKept', 1, 1000);
  const siteKey = read.matching('siteKey', /^[\w-]{1,64}$/, 'letters, digits, _ or -');
  const ingestSiteUrl = read.optionalUrl('ingestSiteUrl', ['http:', 'https:']);
  const ingestSchedule = read.optionalMatching(
    'ingestSchedule',
    /^(cron\([^()]+\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\))$/,
    'an EventBridge Scheduler expression such as cron(0 3 * * ? *) or rate(1 day)',
  );
  const connectionsPerTask = read.integer('connectionsPerTask', 1, 100_000);
  const alarmEmail = read.optionalMatching(
    'alarmEmail',
    /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i,
    'an email address such as ops@example.com',
  );
  const thresholds: AlarmThresholds = {
    http5xxPercent: read.integer('alarm5xxPercent', 1, 100),
    responseTimeP95Ms: read.integer('alarmResponseTimeP95Ms', 10, 600_000),
    firstTokenP95Ms: read.integer('alarmFirstTokenP95Ms', 10, 600_000),
    providerErrorPercent: read.integer('alarmProviderErrorPercent', 1, 100),
    cpuPercent: read.integer('alarmCpuPercent', 10, 100),
    memoryPercent: read.integer('alarmMemoryPercent', 10, 100),
    wafBlockedRequests: read.integer('alarmWafBlockedRequests', 1, 100_000_000),
  };
  if (thresholds.cpuPercent <= cpuTargetPercent) {
    problems.push(
      `lorechat:alarmCpuPercent (${thresholds.cpuPercent}) must exceed lorechat:cpuTargetPercent (${cpuTargetPercent}): scaling should act before the alarm fires`,
    );
  }
  const monthlyBudgetUsd = read.integer('monthlyBudgetUsd', 1, 1_000_000);

  if (problems.length > 0) throw new StackConfigError(problems);

  return {
    stack: raw.stack,
    region,
    awsProfile: raw.aws.profile || undefined,
    resourcePrefix: `${PROJECT}-${raw.stack}`,
    deletionProtection,
    logRetentionDays,
    network: { availabilityZones, vpcCidr },
    domain: domainName && hostedZoneId ? { name: domainName, hostedZoneId } : undefined,
    edge: { priceClass, rateLimit, chatRateLimit, blockedCountries },
    service: {
      cpu,
      memory,
      minTasks,
      maxTasks,
      capacity: { onDemandBase, onDemandWeight, spotWeight },
      cpuTargetPercent,
      requestsPerTargetPerMinute,
      connectionsPerTask,
      stopTimeoutSeconds,
      logLevel,
    },
    llm: { provider: llmProvider, model: llmModel, baseUrl: llmBaseUrl },
    embeddings: { provider: embeddingProvider, model: embeddingModel },
    vectorDb:
      vectorDbMode === 'managed'
        ? { mode: 'managed', url: qdrantUrl ?? '' }
        : {
            mode: 'self-hosted',
            version: qdrantVersion,
            instanceType: qdrantInstanceType,
            volumeSizeGiB: qdrantVolumeSizeGiB,
            snapshotsKept: qdrantSnapshotsKept,
          },
    cache: redisEnabled ? { nodeType: redisNodeType, replicas: redisReplicas } : undefined,
    image: { prebuiltUri: imageUri, imagesKept },
    siteKey,
    ingestSiteUrl,
    // Nothing to crawl without a site: the schedule waits for ingestSiteUrl.
    ingestSchedule: ingestSiteUrl ? ingestSchedule : undefined,
    monitoring: { alarmEmail, thresholds },
    monthlyBudgetUsd,
  };
}

/** Reads the running stack's configuration through Pulumi and validates it. */
export function loadStackConfig(): { config: StackConfig; secrets: StackSecrets } {
  const lorechat = new pulumi.Config(PROJECT);
  const aws = new pulumi.Config('aws');
  const values: RawStackConfig['values'] = {};
  for (const key of Object.keys(CONFIG_DEFAULTS) as ConfigKey[]) {
    values[key] = lorechat.get(key);
  }
  const secrets: StackSecrets = {};
  for (const key of SECRET_KEYS) {
    // Empty is the declared default, meaning "not set".
    if (lorechat.get(key)) secrets[key] = lorechat.requireSecret(key);
  }
  const config = parseStackConfig({
    stack: pulumi.getStack(),
    aws: { region: aws.get('region'), profile: aws.get('profile') },
    values,
    secretsSet: new Set(Object.keys(secrets) as SecretKey[]),
  });
  return { config, secrets };
}

/** A secret that validation has already required, for the code that uses it. */
export function requiredSecret(secrets: StackSecrets, key: SecretKey): pulumi.Output<string> {
  const secret = secrets[key];
  if (!secret) throw new StackConfigError([`lorechat:${key} is required`]);
  return secret;
}

/** Turns raw strings into typed values, falling back to the defaults and collecting problems. */
class ConfigReader {
  readonly problems: string[] = [];

  constructor(private readonly values: Partial<Record<ConfigKey, string>>) {}

  integer(key: ConfigKey, min: number, max: number): number {
    const text = this.text(key);
    if (text === undefined) return this.fallback<number>(key);
    const value = Number(text);
    if (!Number.isInteger(value)) return this.fail(key, 'must be a whole number', text);
    if (value < min || value > max) {
      return this.fail(key, `must be from ${min} to ${max}`, text);
    }
    return value;
  }

  boolean(key: ConfigKey): boolean {
    const text = this.text(key);
    if (text === undefined) return this.fallback<boolean>(key);
    if (text !== 'true' && text !== 'false') return this.fail(key, 'must be true or false', text);
    return text === 'true';
  }

  oneOf<T extends string>(key: ConfigKey, allowed: readonly T[]): T {
    const text = this.text(key);
    if (text === undefined) return this.fallback<T>(key);
    if (!(allowed as readonly string[]).includes(text)) {
      return this.fail(key, `must be one of: ${allowed.join(', ')}`, text);
    }
    return text as T;
  }

  oneOfNumbers(key: ConfigKey, allowed: readonly number[]): number {
    const value = this.integer(key, Math.min(...allowed), Math.max(...allowed));
    if (!allowed.includes(value) && !this.hasProblemFor(key)) {
      return this.fail(key, `must be one of: ${allowed.join(', ')}`, String(value));
    }
    return value;
  }

  matching(key: ConfigKey, pattern: RegExp, allowed: string): string {
    return this.optionalMatching(key, pattern, allowed) ?? this.fallback<string>(key);
  }

  optionalMatching(key: ConfigKey, pattern: RegExp, allowed: string): string | undefined {
    const text = this.text(key);
    if (text === undefined) return this.fallback<string>(key) || undefined;
    if (!pattern.test(text)) return this.fail(key, `must be ${allowed}`, text);
    return text;
  }

  optionalUrl(key: ConfigKey, protocols: string[]): string | undefined {
    const text = this.text(key);
    if (text === undefined) return undefined;
    const names = protocols.map((protocol) => protocol.replace(':', '')).join(' or ');
    try {
      const url = new URL(text);
      if (protocols.includes(url.protocol) && url.hostname) return text.replace(/\/+$/, '');
    } catch {
      // Reported below, like any other value that is not a URL.
    }
    return this.fail(key, `must be an ${names} URL`, text);
  }

  stringList(key: ConfigKey, itemPattern: RegExp, allowed: string): string[] {
    const text = this.text(key);
    if (text === undefined) return this.fallback<string[]>(key);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (
      !Array.isArray(parsed) ||
      !parsed.every((item): item is string => typeof item === 'string' && itemPattern.test(item))
    ) {
      return this.fail(key, `must be a list of ${allowed}`, text);
    }
    return parsed;
  }

  /** The configured text, or undefined when the key is absent or set to the empty string. */
  private text(key: ConfigKey): string | undefined {
    const text = this.values[key]?.trim();
    return text === undefined || text === '' ? undefined : text;
  }

  private fallback<T>(key: ConfigKey): T {
    return CONFIG_DEFAULTS[key] as T;
  }

  /** Whether a value was already reported, so checks that depend on it stay quiet. */
  hasProblemFor(key: ConfigKey): boolean {
    return this.problems.some((problem) => problem.startsWith(`lorechat:${key} `));
  }

  /** Records the problem and returns the default, so validation continues and reports them all. */
  private fail<T>(key: ConfigKey, rule: string, got: string): T {
    this.problems.push(`lorechat:${key} ${rule} (got "${got}")`);
    return this.fallback<T>(key);
  }
}

function range(from: number, to: number, step: number): number[] {
  return Array.from({ length: (to - from) / step + 1 }, (_, index) => from + index * step);
}
