import type * as pulumi from '@pulumi/pulumi';
import {
  type EmbeddingProviderName,
  type EnvironmentName,
  type LlmProviderName,
  type LogLevelName,
  type PriceClass,
  type SecretKey,
} from './choices';
import { type ConfigKey } from './defaults';

/** The shapes of the stack configuration: as Pulumi hands it over, and as components receive it. */

export interface StackConfig {
  stack: string;
  /**
   * The environment the stack belongs to (`lorechat:environment`, else the stack's name): its
   * Environment tag, which the policy pack's prod rules and the budget read.
   */
  environment: EnvironmentName;
  region: string;
  /** Named AWS profile from `aws:profile`. */
  awsProfile?: string;
  /** The only accounts the stack may change (`aws:allowedAccountIds`). */
  allowedAccountIds: string[];
  /** Roles the providers assume (`aws:assumeRoles`). */
  assumeRoles?: { roleArn: string; sessionName?: string; externalId?: string }[];
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
    /** Requests per IP per 5 minutes on the chat transport (`/socket.io/`); 0 for none. */
    chatRateLimit: number;
    /** Sign-in attempts (POST /v1/admin/session) per IP per 5 minutes. */
    signInRateLimit: number;
    /** AWS's managed rule groups (IP reputation, common attacks, known bad inputs). */
    managedRules: boolean;
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
    /** CloudWatch Container Insights on the cluster: task counts, per-task metrics. */
    containerInsights: boolean;
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
        /** 1, or an odd number of nodes of one cluster, each in its own zone. */
        nodes: number;
        /** When the daily volume snapshots start, `hh:mm` UTC. */
        snapshotTime: string;
        /** EBS snapshots the data volumes are created from, one per node; empty for blank ones. */
        restoreSnapshotIds: string[];
      }
    | { mode: 'managed'; url: string };
  /** `snapshotDays`: daily snapshots kept, 0 for none. */
  cache?: { nodeType: string; replicas: number; snapshotDays: number };
  /** Aurora Serverless v2 PostgreSQL for the conversation log, which every task shares. */
  database: {
    /** ACUs; 0 lets the database pause after `autoPauseSeconds` without connections. */
    minCapacity: number;
    maxCapacity: number;
    autoPauseSeconds: number;
    /** Readers besides the writer, each in another zone, which Aurora fails over to. */
    readers: number;
    backupDays: number;
  };
  /** The conversation log and the owner's console (ANALYTICS_*). */
  analytics: { enabled: boolean; retentionDays: number };
  /** The image every task runs, by digest: the one CI built and tested. */
  imageUri: string;
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
  /** Talk to a person: e-mail through SES when both are set (the webhook is a secret). */
  handoff: { email?: { to: string[]; from: string } };
  /** Disaster recovery: the standby region, and once the standby stack exists, its origin. */
  dr?: DrSettings;
  /**
   * On a standby stack: the primary's server secret (its `adminTokenSecretArn`), whose replica in
   * this region holds the visitor token signing key and admin token the tasks use instead of
   * their own, so tokens issued in either region are valid in both.
   */
  drPrimarySecretArn?: string;
}

export interface DrSettings {
  /** Where Qdrant snapshots are copied and secrets replicated, and the standby stack runs. */
  region: string;
  /** Days the standby region keeps each copied Qdrant snapshot. */
  snapshotCopyDays: number;
  standby?: {
    /** The standby stack's internal load balancer, which a CloudFront VPC origin reaches. */
    loadBalancerArn: string;
    /** The name CloudFront connects to it by (its `originDomainName` output). */
    originDomainName: string;
    /** Send every request to the standby first: the region switch. */
    failover: boolean;
  };
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
  /** `aws:*` settings, lists and objects as JSON text. */
  aws: { region?: string; profile?: string; allowedAccountIds?: string; assumeRoles?: string };
  /** `lorechat:*` values as Pulumi hands them over: strings, with arrays as JSON text. */
  values: Partial<Record<ConfigKey, string>>;
  /** Which secret keys have a value; their values never reach validation. */
  secretsSet: ReadonlySet<SecretKey>;
}
