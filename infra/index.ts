import { CONSOLE_PATH, LIVENESS_PATH, METRICS_NAMESPACE } from '@lorechat/contracts';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import {
  BACKEND_PORT,
  INGEST_COMMAND,
  backendEnvironment,
  bedrockResourceArns,
  ingestRunTaskCommand,
  providerKeys,
  widgetScriptTag,
} from './backend';
import { Budget } from './components/budget';
import { Cache } from './components/cache';
import { Database } from './components/database';
import { SHARED_SERVER_KEYS, replicaSecretArn, sharedServerSecrets } from './components/dr';
import { Edge } from './components/edge';
import { IngestJob } from './components/ingestJob';
import { LoadBalancer } from './components/loadBalancer';
import { ModelAccess } from './components/models';
import { Monitoring } from './components/monitoring';
import { Network, internetEgressPorts } from './components/network';
import { AwsProviders } from './components/providers';
import { handoffSecretValues, senderIdentityArns, sesSendStatements } from './components/handoff';
import { SecretStore } from './components/secrets';
import { Service } from './components/service';
import { CONTAINER_NAME } from './components/task';
import { VectorDb } from './components/vectorDb';
import { PROJECT, loadStackConfig, requiredSecret } from './config';
import { standardTags } from './tagging';

const { config, secrets } = loadStackConfig();
const name = config.resourcePrefix;

const providers = new AwsProviders(name, {
  region: config.region,
  profile: config.awsProfile,
  allowedAccountIds: config.allowedAccountIds,
  assumeRoles: config.assumeRoles,
  tags: standardTags(PROJECT, config.environment),
});
/** Every component works in the stack's region unless it names the us-east-1 provider. */
const inRegion: pulumi.ComponentResourceOptions = { providers: { aws: providers.regional } };

const network = new Network(
  name,
  {
    availabilityZones: config.network.availabilityZones,
    cidrBlock: config.network.vpcCidr,
    logRetentionDays: config.logRetentionDays,
    servicePort: BACKEND_PORT,
    serviceInternetPorts: internetEgressPorts([
      config.llm.baseUrl,
      config.vectorDb.mode === 'managed' ? config.vectorDb.url : undefined,
      // The ingest job runs with the service's security group and crawls this site.
      config.ingestSiteUrl,
    ]),
  },
  inRegion,
);

const loadBalancer = new LoadBalancer(
  name,
  {
    vpcId: network.vpcId,
    publicSubnetIds: network.publicSubnetIds,
    securityGroupId: network.loadBalancerSecurityGroupId,
    servicePort: BACKEND_PORT,
    healthCheckPath: LIVENESS_PATH,
    deregistrationDelaySeconds: config.service.stopTimeoutSeconds,
    deletionProtection: config.deletionProtection,
    logRetentionDays: config.logRetentionDays,
    domain: config.domain,
  },
  inRegion,
);

const edge = new Edge(
  name,
  {
    usEast1Provider: providers.usEast1,
    loadBalancerArn: loadBalancer.loadBalancerArn,
    originDomainName: loadBalancer.originDomainName,
    originProtocol: loadBalancer.originProtocol,
    domain: config.domain,
    priceClass: config.edge.priceClass,
    waf: {
      rateLimit: config.edge.rateLimit,
      chatRateLimit: config.edge.chatRateLimit,
      signInRateLimit: config.edge.signInRateLimit,
      blockedCountries: config.edge.blockedCountries,
      managedRules: config.edge.managedRules,
    },
    logRetentionDays: config.logRetentionDays,
    standby: config.dr?.standby,
  },
  inRegion,
);

const vectorDb = new VectorDb(
  name,
  config.vectorDb.mode === 'managed'
    ? {
        mode: 'managed',
        url: config.vectorDb.url,
        apiKey: requiredSecret(secrets, 'qdrantApiKey'),
        deletionProtection: config.deletionProtection,
      }
    : {
        ...config.vectorDb,
        subnetIds: network.publicSubnetIds,
        vpcId: network.vpcId,
        clientSecurityGroupId: network.serviceSecurityGroupId,
        region: config.region,
        deletionProtection: config.deletionProtection,
        snapshotCopy: config.dr && { region: config.dr.region, days: config.dr.snapshotCopyDays },
      },
  inRegion,
);

const cache = config.cache
  ? new Cache(
      name,
      {
        ...config.cache,
        subnetIds: network.publicSubnetIds,
        vpcId: network.vpcId,
        clientSecurityGroupId: network.serviceSecurityGroupId,
        deletionProtection: config.deletionProtection,
      },
      inRegion,
    )
  : undefined;

const database = new Database(
  name,
  {
    ...config.database,
    vpcId: network.vpcId,
    subnetIds: network.isolatedSubnetIds,
    clientSecurityGroupId: network.serviceSecurityGroupId,
    deletionProtection: config.deletionProtection,
  },
  inRegion,
);

const keys = providerKeys(secrets);
const providerSecrets =
  Object.keys(keys).length > 0
    ? new SecretStore(
        `${name}-providers`,
        {
          description: 'LoreChat: model provider API keys',
          values: keys,
          deletionProtection: config.deletionProtection,
          replicaRegion: config.dr?.region,
        },
        inRegion,
      )
    : undefined;

// The server's own keys, in one secret ($0.40 a month each): the key that signs visitor tokens
// (every task must share it, and it must survive deploys so tokens stay valid), the console's
// admin token, and the conversation log's database URL. The logical name predates the last two;
// it stays, so that adding them updates the secret instead of replacing it.
// A standby stack shares the signing key and admin token with its primary, through the replica of
// the primary's secret in this region (components/dr.ts), instead of generating its own.
const sharedKeys = config.drPrimarySecretArn
  ? sharedServerSecrets(config.drPrimarySecretArn, config.region)
  : undefined;
const serverSecrets = new SecretStore(
  `${name}-visitor-tokens`,
  {
    description:
      "LoreChat: the visitor token signing key, the console's admin token and the conversation log's database URL",
    values: { DATABASE_URL: database.url, ...handoffSecretValues(secrets) },
    generated: sharedKeys ? [] : SHARED_SERVER_KEYS,
    deletionProtection: config.deletionProtection,
    replicaRegion: config.dr?.region,
  },
  inRegion,
);

const account = aws.getCallerIdentityOutput({}, { provider: providers.regional });
const answerModel =
  config.llm.provider === 'bedrock' && config.llm.model
    ? new ModelAccess(
        name,
        { modelId: config.llm.model, region: config.region, accountId: account.accountId },
        inRegion,
      )
    : undefined;
const embeddingModelArns = bedrockResourceArns(
  config.embeddings.provider === 'bedrock' && config.embeddings.model
    ? [config.embeddings.model]
    : [],
  config.region,
  account.accountId,
);
const handoffEmail = config.handoff.email;
const environment = {
  ...backendEnvironment(config, { publicUrl: edge.url, qdrantUrl: vectorDb.url }),
  // A Qdrant cluster's collections are sharded and replicated to survive a lost node.
  ...vectorDb.environment,
};
const containerSecrets = [
  // Also the ingest job's: it writes its crawl summary to the conversation log.
  ...serverSecrets.containerSecrets,
  ...(sharedKeys ?? []),
  ...(providerSecrets?.containerSecrets ?? []),
  ...vectorDb.containerSecrets,
  ...(cache?.containerSecrets ?? []),
];
const service = new Service(
  name,
  {
    subnetIds: network.publicSubnetIds,
    securityGroupId: network.serviceSecurityGroupId,
    image: config.imageUri,
    containerPort: BACKEND_PORT,
    livenessPath: LIVENESS_PATH,
    cpu: config.service.cpu,
    memory: config.service.memory,
    minTasks: config.service.minTasks,
    maxTasks: config.service.maxTasks,
    capacity: config.service.capacity,
    cpuTargetPercent: config.service.cpuTargetPercent,
    requestsPerTargetPerMinute: config.service.requestsPerTargetPerMinute,
    connectionsPerTask: config.service.connectionsPerTask,
    connectionsMetric: { namespace: METRICS_NAMESPACE, environment: config.stack },
    stopTimeoutSeconds: config.service.stopTimeoutSeconds,
    containerInsights: config.service.containerInsights,
    logRetentionDays: config.logRetentionDays,
    environment,
    secrets: containerSecrets,
    // Answers through the stack's tagged inference profile, questions embedded for search directly.
    bedrockResourceArns: [...(answerModel?.invokeArns ?? []), ...embeddingModelArns],
    sesSendStatements: handoffEmail
      ? sesSendStatements(
          senderIdentityArns(handoffEmail.from, config.region, account.accountId),
          handoffEmail.from,
        )
      : undefined,
    targetGroupArn: loadBalancer.targetGroupArn,
    requestCountResourceLabel: loadBalancer.requestCountResourceLabel,
  },
  inRegion,
);

const monitoring = new Monitoring(
  name,
  {
    environment: config.stack,
    provider: config.llm.provider,
    metricsNamespace: METRICS_NAMESPACE,
    region: config.region,
    alarmEmail: config.monitoring.alarmEmail,
    thresholds: config.monitoring.thresholds,
    loadBalancerArnSuffix: loadBalancer.loadBalancerArnSuffix,
    targetGroupArnSuffix: loadBalancer.targetGroupArnSuffix,
    clusterName: service.clusterName,
    serviceName: service.serviceName,
    serviceLogGroupName: service.logGroupName,
    distributionId: edge.distributionId,
    webAclMetricName: edge.webAclMetricName,
    usEast1Provider: providers.usEast1,
    containerInsights: config.service.containerInsights,
    minTasks: config.service.minTasks,
    qdrantInstanceIds: vectorDb.instanceIds,
    redis: cache !== undefined,
  },
  inRegion,
);

new Budget(
  name,
  {
    project: PROJECT,
    // Its cost filter matches the Environment tag: a standby stack's budget covers the environment.
    environment: config.environment,
    monthlyLimitUsd: config.monthlyBudgetUsd,
    topicArn: monitoring.alarmTopicArn,
  },
  inRegion,
);

const ingestJob =
  config.ingestSchedule && config.ingestSiteUrl
    ? new IngestJob(
        name,
        {
          command: [...INGEST_COMMAND, config.ingestSiteUrl],
          schedule: config.ingestSchedule,
          clusterArn: service.clusterArn,
          subnetIds: network.publicSubnetIds,
          securityGroupId: network.serviceSecurityGroupId,
          image: config.imageUri,
          containerPort: BACKEND_PORT,
          cpu: config.service.cpu,
          memory: config.service.memory,
          environment,
          secrets: containerSecrets,
          bedrockResourceArns: embeddingModelArns,
          logRetentionDays: config.logRetentionDays,
          alarmTopicArn: monitoring.alarmTopicArn,
        },
        inRegion,
      )
    : undefined;

/** The image the tasks run, by digest: a preview of a later change reuses it. */
export const imageUri = config.imageUri;
/** Where visitors reach LoreChat. */
export const siteUrl = edge.url;
/** The script tag to paste into the site's pages. */
export const widgetSnippet = edge.url.apply((url) => widgetScriptTag(url, config.siteKey));
export const loadBalancerName = loadBalancer.loadBalancerName;
/**
 * What a primary stack's distribution reaches this stack by, when this stack is its standby in
 * another region: set them as the primary's drStandbyLoadBalancerArn and drStandbyOriginDomain.
 */
export const loadBalancerArn = loadBalancer.loadBalancerArn;
export const originDomainName = loadBalancer.originDomainName;
export const distributionId = edge.distributionId;
export const clusterName = service.clusterName;
export const serviceName = service.serviceName;
export const dashboardName = monitoring.dashboardName;
export const alarmTopicArn = monitoring.alarmTopicArn;
/** The owner's console, and the secret holding the admin token to sign in with. */
export const consoleUrl = pulumi.interpolate`${edge.url}${CONSOLE_PATH}`;
export const adminTokenSecretArn = config.drPrimarySecretArn
  ? replicaSecretArn(config.drPrimarySecretArn, config.region)
  : serverSecrets.arn;
export const databaseClusterIdentifier = database.clusterIdentifier;
/** The EventBridge Scheduler schedule of the nightly crawl, when the stack has one. */
export const ingestScheduleName = ingestJob?.scheduleName;
/** Runs the ingest job once, now, outside its schedule. */
export const ingestCommand = pulumi
  .all([
    service.clusterName,
    service.taskDefinitionFamily,
    network.publicSubnetIds,
    network.serviceSecurityGroupId,
  ])
  .apply(([cluster, family, subnetIds, securityGroupId]) =>
    ingestRunTaskCommand({
      region: config.region,
      clusterName: cluster,
      taskDefinitionFamily: family,
      containerName: CONTAINER_NAME,
      subnetIds,
      securityGroupId,
      siteUrl: config.ingestSiteUrl,
    }),
  );
