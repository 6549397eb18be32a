import { z } from 'zod';
import {
  EMBEDDING_PROVIDERS,
  ENVIRONMENTS,
  FARGATE_MEMORY_BY_CPU,
  LLM_PROVIDERS,
  LOG_LEVELS,
  LOG_RETENTION_DAYS,
  PRICE_CLASSES,
  VECTOR_DB_MODES,
} from './choices';
import { CONFIG_DEFAULTS, type ConfigKey } from './defaults';

/**
 * How each `lorechat:*` value is read: a zod schema from the text Pulumi hands over (trimmed, never
 * empty: an empty value means "not set" and takes the default) to its typed value. Each schema's
 * error message says what is allowed; the reader prefixes the key and appends the value given.
 */

const integer = (min: number, max: number) =>
  z.coerce
    .number<string>({ error: 'must be a whole number' })
    .int({ error: 'must be a whole number' })
    .min(min, { error: `must be from ${min} to ${max}` })
    .max(max, { error: `must be from ${min} to ${max}` });

const oneOfNumbers = (allowed: readonly number[]) =>
  integer(Math.min(...allowed), Math.max(...allowed)).refine((value) => allowed.includes(value), {
    error: `must be one of: ${allowed.join(', ')}`,
  });

const oneOf = <T extends readonly [string, ...string[]]>(allowed: T) =>
  z.enum(allowed, { error: `must be one of: ${allowed.join(', ')}` });

const boolean = z
  .enum(['true', 'false'], { error: 'must be true or false' })
  .transform((text) => text === 'true');

const matching = (pattern: RegExp, allowed: string) =>
  z.string().regex(pattern, { error: `must be ${allowed}` });

/** A URL with one of the protocols, without trailing slashes. */
const url = (protocols: readonly ('http' | 'https')[]) =>
  z
    .url({
      protocol: new RegExp(`^(${protocols.join('|')})$`),
      error: `must be an ${protocols.join(' or ')} URL`,
    })
    .transform((text) => text.replace(/\/+$/, ''));

/** A JSON list of strings, each matching the pattern. */
const stringList = (itemPattern: RegExp, allowed: string) => {
  const error = `must be a list of ${allowed}`;
  return z
    .string()
    .transform((text, context) => {
      try {
        return JSON.parse(text) as unknown;
      } catch {
        context.addIssue({ code: 'custom', message: error });
        return z.NEVER;
      }
    })
    .pipe(z.array(z.string({ error }).regex(itemPattern, { error }), { error }));
};

/** Aurora capacity units: from `min` to `max` in steps of half a unit. */
const capacityUnits = (min: number, max: number) =>
  z.coerce
    .number<string>({ error: `must be a number of ACUs from ${min} to ${max}` })
    .min(min, { error: `must be from ${min} to ${max} ACUs` })
    .max(max, { error: `must be from ${min} to ${max} ACUs` })
    .refine((value) => Number.isInteger(value * 2), {
      error: 'must be a whole or half number of ACUs, such as 0.5, 2 or 4',
    });

const EMAIL_ADDRESS = /^[^@\s<>]+@[^@\s<>]+\.[a-z]{2,}$/i;

const modelId = (example: string) => matching(/^[\w.:/-]{1,200}$/, `a model id such as ${example}`);

/** Every key's schema, in the order problems are reported. */
export const FIELDS = {
  environment: oneOf(ENVIRONMENTS),
  availabilityZones: integer(2, 6),
  vpcCidr: matching(
    /^(\d{1,3}\.){3}\d{1,3}\/(1[6-9]|2[0-4])$/,
    'an IPv4 CIDR block from /16 to /24',
  ),
  domainName: matching(
    /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'a lowercase DNS name such as chat.example.com',
  ),
  hostedZoneId: matching(
    /^Z[A-Z0-9]{4,31}$/,
    'a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ',
  ),
  priceClass: oneOf(PRICE_CLASSES),
  // AWS WAF accepts rate limits from 10 requests per evaluation window.
  wafRateLimit: integer(10, 2_000_000_000),
  // 0 turns the chat limit off; AWS WAF's own minimum is 10.
  wafChatRateLimit: integer(0, 2_000_000_000).refine((limit) => limit === 0 || limit >= 10, {
    error: 'must be 0 (off) or from 10 to 2000000000',
  }),
  // Sign-in attempts (POST /v1/admin/session) per IP in 5 minutes; AWS WAF's minimum is 10.
  wafSignInRateLimit: integer(10, 2_000_000_000),
  geoBlockCountries: stringList(/^[A-Z]{2}$/, 'two-letter ISO 3166 country codes such as "KP"'),
  wafManagedRules: boolean,
  deletionProtection: boolean,
  logRetentionDays: oneOfNumbers(LOG_RETENTION_DAYS),
  taskCpu: oneOfNumbers(Object.keys(FARGATE_MEMORY_BY_CPU).map(Number)),
  taskMemory: integer(512, 122880),
  minTasks: integer(1, 1000),
  maxTasks: integer(1, 1000),
  onDemandBaseTasks: integer(0, 1000),
  onDemandWeight: integer(0, 1000),
  spotWeight: integer(0, 1000),
  cpuTargetPercent: integer(10, 90),
  requestsPerTargetPerMinute: integer(1, 1_000_000),
  // Fargate caps the stop timeout at 120 s, which is also the warning Spot gives.
  stopTimeoutSeconds: integer(2, 120),
  containerInsights: boolean,
  logLevel: oneOf(LOG_LEVELS),
  llmProvider: oneOf(LLM_PROVIDERS),
  llmModel: modelId('amazon.nova-lite-v1:0'),
  llmBaseUrl: url(['http', 'https']),
  embeddingProvider: oneOf(EMBEDDING_PROVIDERS),
  embeddingModel: modelId('amazon.titan-embed-text-v2:0'),
  vectorDbMode: oneOf(VECTOR_DB_MODES),
  qdrantUrl: url(['https']),
  qdrantVersion: matching(/^v\d+\.\d+\.\d+$/, 'a Qdrant release tag such as v1.18.2'),
  qdrantInstanceType: matching(
    /^[a-z]+\d+g[a-z]*\.[a-z0-9]+$/,
    'a Graviton (arm64) instance type such as t4g.small',
  ),
  qdrantVolumeSizeGiB: integer(8, 16384),
  qdrantSnapshotsKept: integer(1, 1000),
  // Beyond 7 nodes a cluster belongs in Qdrant Cloud (vectorDbMode managed); parity and the zone
  // count are checked with the other keys (rules.ts).
  qdrantNodes: integer(1, 7),
  qdrantSnapshotTime: matching(
    /^([01]\d|2[0-3]):[0-5]\d$/,
    'a UTC time of day as hh:mm, such as 06:00',
  ),
  qdrantRestoreSnapshotIds: stringList(
    /^snap-[0-9a-f]{8,17}$/,
    'EBS snapshot ids such as "snap-0123456789abcdef0", one per Qdrant node',
  ),
  redisEnabled: boolean,
  redisNodeType: matching(
    /^cache\.[a-z0-9]+\.[a-z0-9]+$/,
    'an ElastiCache node type such as cache.t4g.micro',
  ),
  redisReplicas: integer(0, 5),
  // ElastiCache keeps automatic snapshots for at most 35 days; 0 turns them off.
  redisSnapshotDays: integer(0, 35),
  // Aurora Serverless v2: 0 pauses the database when idle (Aurora PostgreSQL 16.3 and later).
  databaseMinCapacity: capacityUnits(0, 256),
  databaseMaxCapacity: capacityUnits(1, 256),
  // Aurora accepts 5 minutes to 1 day of idleness before it pauses.
  databaseAutoPauseSeconds: integer(300, 86_400),
  // Aurora allows 15 readers per cluster.
  databaseReaders: integer(0, 15),
  databaseBackupDays: integer(1, 35),
  analyticsEnabled: boolean,
  analyticsRetentionDays: integer(1, 3650),
  // By digest: the image CI built and tested, which no later push can change.
  imageUri: matching(
    /^[a-z0-9.-]+(:\d+)?\/[a-z0-9._/-]+@sha256:[a-f0-9]{64}$/,
    'an image reference by digest, such as 123456789012.dkr.ecr.eu-west-1.amazonaws.com/lorechat@sha256:<64 hex digits>',
  ),
  siteKey: matching(/^[\w-]{1,64}$/, 'letters, digits, _ or -'),
  ingestSiteUrl: url(['http', 'https']),
  ingestSchedule: matching(
    /^(cron\([^()]+\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\))$/,
    'an EventBridge Scheduler expression such as cron(0 3 * * ? *) or rate(1 day)',
  ),
  connectionsPerTask: integer(1, 100_000),
  alarmEmail: matching(/^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i, 'an email address such as ops@example.com'),
  alarm5xxPercent: integer(1, 100),
  alarmResponseTimeP95Ms: integer(10, 600_000),
  alarmFirstTokenP95Ms: integer(10, 600_000),
  alarmProviderErrorPercent: integer(1, 100),
  alarmCpuPercent: integer(10, 100),
  alarmMemoryPercent: integer(10, 100),
  alarmWafBlockedRequests: integer(1, 100_000_000),
  monthlyBudgetUsd: integer(1, 1_000_000),
  handoffEmailTo: stringList(EMAIL_ADDRESS, 'e-mail addresses such as "support@example.com"'),
  // The backend's HANDOFF_EMAIL_FROM: an address, or a display name with the address in <>.
  handoffEmailFrom: matching(
    new RegExp(
      `^(${EMAIL_ADDRESS.source.slice(1, -1)}|[^<>\n]{1,100} <${EMAIL_ADDRESS.source.slice(1, -1)}>)$`,
      'i',
    ),
    'an address verified in SES, such as chat@example.com or "LoreChat <chat@example.com>"',
  ),
  drRegion: matching(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as eu-central-1'),
  // DLM keeps cross-region copies for a time, not a count; a year bounds the copies' cost.
  drSnapshotCopyDays: integer(1, 365),
  drStandbyLoadBalancerArn: matching(
    /^arn:aws[\w-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/app\/[\w-]+\/[0-9a-f]+$/,
    'the ARN of an application load balancer, as the standby stack exports it (loadBalancerArn)',
  ),
  drStandbyOriginDomain: matching(
    /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
    'a DNS name, as the standby stack exports it (originDomainName)',
  ),
  drFailover: boolean,
  drPrimarySecretArn: matching(
    /^arn:aws[\w-]*:secretsmanager:[a-z]{2}(-[a-z]+)+-\d:\d{12}:secret:[\w/+=.@-]+$/,
    'a Secrets Manager secret ARN, as the primary stack exports it (adminTokenSecretArn)',
  ),
} satisfies Record<ConfigKey, z.ZodType<unknown, string>>;

type Defaults = typeof CONFIG_DEFAULTS;

/**
 * Every setting, typed. A key whose default is the empty string has no value unless set; every
 * other key has its default.
 */
export type Settings = {
  [K in ConfigKey]: Defaults[K] extends ''
    ? z.output<(typeof FIELDS)[K]> | undefined
    : z.output<(typeof FIELDS)[K]>;
};

export interface ReadSettings {
  settings: Settings;
  /** Keys whose value was given but invalid: they hold their default, and are reported. */
  invalid: ReadonlySet<ConfigKey>;
  problems: string[];
}

/**
 * Reads every key at once: a missing or empty value takes its default, an invalid one its default
 * too, so the rules that relate keys still run and every problem is reported in one round.
 */
export function readSettings(values: Partial<Record<ConfigKey, string>>): ReadSettings {
  const settings: Record<string, unknown> = {};
  const invalid = new Set<ConfigKey>();
  const problems: string[] = [];
  for (const [key, schema] of Object.entries(FIELDS) as [ConfigKey, z.ZodType][]) {
    const preset = CONFIG_DEFAULTS[key];
    // A default given as text (ACUs, which may be fractions) is read as a set value would be.
    const fallback =
      preset === '' ? undefined : typeof preset === 'string' ? schema.parse(preset) : preset;
    const text = values[key]?.trim();
    if (text === undefined || text === '') {
      settings[key] = fallback;
      continue;
    }
    const parsed = schema.safeParse(text);
    if (parsed.success) {
      settings[key] = parsed.data;
    } else {
      settings[key] = fallback;
      invalid.add(key);
      problems.push(`lorechat:${key} ${parsed.error.issues[0]?.message} (got "${text}")`);
    }
  }
  return { settings: settings as Settings, invalid, problems };
}
