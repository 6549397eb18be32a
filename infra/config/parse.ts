import { PROJECT } from './choices';
import { readAwsSettings } from './aws';
import { readSettings, type Settings } from './fields';
import { drProblems } from './dr';
import { stackEnvironment } from './environment';
import { crossKeyProblems } from './rules';
import { StackConfigError, type RawStackConfig, type StackConfig } from './types';

/**
 * Validates raw configuration and returns the typed stack configuration. Every problem is reported
 * at once, each naming its key and what is allowed, so a bad stack file is fixed in one round.
 */
export function parseStackConfig(raw: RawStackConfig): StackConfig {
  const problems: string[] = [];
  if (!/^[a-z0-9][a-z0-9-]{0,11}$/.test(raw.stack)) {
    problems.push(
      `the stack name "${raw.stack}" must be 1 to 12 lowercase letters, digits or hyphens (it starts AWS resource names, which have length limits)`,
    );
  }
  const aws = readAwsSettings(raw.aws);
  problems.push(...aws.problems);
  const read = readSettings(raw.values);
  problems.push(...read.problems, ...crossKeyProblems(read, raw.secretsSet));
  const environment = stackEnvironment(
    raw.stack,
    read.settings.environment,
    read.invalid.has('environment'),
  );
  problems.push(...environment.problems, ...drProblems(read, aws.settings.region));
  if (problems.length > 0 || !environment.environment) throw new StackConfigError(problems);

  const s = read.settings;
  return {
    stack: raw.stack,
    environment: environment.environment,
    region: aws.settings.region,
    awsProfile: aws.settings.profile,
    allowedAccountIds: aws.settings.allowedAccountIds,
    assumeRoles: aws.settings.assumeRoles,
    resourcePrefix: `${PROJECT}-${raw.stack}`,
    deletionProtection: s.deletionProtection,
    logRetentionDays: s.logRetentionDays,
    network: { availabilityZones: s.availabilityZones, vpcCidr: s.vpcCidr },
    domain:
      s.domainName && s.hostedZoneId
        ? { name: s.domainName, hostedZoneId: s.hostedZoneId }
        : undefined,
    edge: {
      priceClass: s.priceClass,
      rateLimit: s.wafRateLimit,
      chatRateLimit: s.wafChatRateLimit,
      signInRateLimit: s.wafSignInRateLimit,
      blockedCountries: s.geoBlockCountries,
      managedRules: s.wafManagedRules,
    },
    service: {
      cpu: s.taskCpu,
      memory: s.taskMemory,
      minTasks: s.minTasks,
      maxTasks: s.maxTasks,
      capacity: {
        onDemandBase: s.onDemandBaseTasks,
        onDemandWeight: s.onDemandWeight,
        spotWeight: s.spotWeight,
      },
      cpuTargetPercent: s.cpuTargetPercent,
      requestsPerTargetPerMinute: s.requestsPerTargetPerMinute,
      connectionsPerTask: s.connectionsPerTask,
      stopTimeoutSeconds: s.stopTimeoutSeconds,
      containerInsights: s.containerInsights,
      logLevel: s.logLevel,
    },
    llm: { provider: s.llmProvider, model: s.llmModel, baseUrl: s.llmBaseUrl },
    embeddings: { provider: s.embeddingProvider, model: s.embeddingModel },
    vectorDb:
      s.vectorDbMode === 'managed'
        ? { mode: 'managed', url: s.qdrantUrl ?? '' }
        : {
            mode: 'self-hosted',
            version: s.qdrantVersion,
            instanceType: s.qdrantInstanceType,
            volumeSizeGiB: s.qdrantVolumeSizeGiB,
            snapshotsKept: s.qdrantSnapshotsKept,
            nodes: s.qdrantNodes,
            snapshotTime: s.qdrantSnapshotTime,
            restoreSnapshotIds: s.qdrantRestoreSnapshotIds,
          },
    cache: s.redisEnabled
      ? {
          nodeType: s.redisNodeType,
          replicas: s.redisReplicas,
          snapshotDays: s.redisSnapshotDays,
        }
      : undefined,
    database: {
      minCapacity: s.databaseMinCapacity,
      maxCapacity: s.databaseMaxCapacity,
      autoPauseSeconds: s.databaseAutoPauseSeconds,
      readers: s.databaseReaders,
      backupDays: s.databaseBackupDays,
    },
    analytics: { enabled: s.analyticsEnabled, retentionDays: s.analyticsRetentionDays },
    imageUri: s.imageUri ?? '',
    siteKey: s.siteKey,
    ingestSiteUrl: s.ingestSiteUrl,
    // Nothing to crawl without a site: the schedule waits for ingestSiteUrl.
    ingestSchedule: s.ingestSiteUrl ? s.ingestSchedule : undefined,
    monitoring: {
      alarmEmail: s.alarmEmail,
      thresholds: {
        http5xxPercent: s.alarm5xxPercent,
        responseTimeP95Ms: s.alarmResponseTimeP95Ms,
        firstTokenP95Ms: s.alarmFirstTokenP95Ms,
        providerErrorPercent: s.alarmProviderErrorPercent,
        cpuPercent: s.alarmCpuPercent,
        memoryPercent: s.alarmMemoryPercent,
        wafBlockedRequests: s.alarmWafBlockedRequests,
      },
    },
    monthlyBudgetUsd: s.monthlyBudgetUsd,
    handoff: {
      email:
        s.handoffEmailTo.length > 0 && s.handoffEmailFrom
          ? { to: s.handoffEmailTo, from: s.handoffEmailFrom }
          : undefined,
    },
    dr: drSettings(s),
    drPrimarySecretArn: s.drPrimarySecretArn,
  };
}

/** The standby region and origin, when the stack has them (dr.ts checked they fit together). */
function drSettings(s: Settings): StackConfig['dr'] {
  if (!s.drRegion) return undefined;
  return {
    region: s.drRegion,
    snapshotCopyDays: s.drSnapshotCopyDays,
    standby:
      s.drStandbyLoadBalancerArn && s.drStandbyOriginDomain
        ? {
            loadBalancerArn: s.drStandbyLoadBalancerArn,
            originDomainName: s.drStandbyOriginDomain,
            failover: s.drFailover,
          }
        : undefined,
  };
}
