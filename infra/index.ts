import * as path from 'node:path';
import { HEALTH_PATH, METRICS_NAMESPACE } from '@lorechat/contracts';
import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import {
  BACKEND_PORT,
  INGEST_COMMAND,
  backendEnvironment,
  bedrockModelIds,
  bedrockResourceArns,
  ingestRunTaskCommand,
  providerKeys,
  widgetScriptTag,
} from './backend';
import { Budget } from './components/budget';
import { Cache } from './components/cache';
import { Edge } from './components/edge';
import { Image } from './components/image';
import { IngestJob } from './components/ingestJob';
import { LoadBalancer } from './components/loadBalancer';
import { Monitoring } from './components/monitoring';
import { Network, internetEgressPorts } from './components/network';
import { SecretStore } from './components/secrets';
import { CONTAINER_NAME, Service } from './components/service';
import { VectorDb } from './components/vectorDb';
import { PROJECT, loadStackConfig, requiredSecret } from './config';
import { registerStandardTags } from './tagging';

const { config, secrets } = loadStackConfig();
registerStandardTags(PROJECT, config.stack);

const name = config.resourcePrefix;
const repositoryRoot = path.resolve(__dirname, '..');

const network = new Network(name, {
  availabilityZones: config.network.availabilityZones,
  cidrBlock: config.network.vpcCidr,
  logRetentionDays: config.logRetentionDays,
  servicePort: BACKEND_PORT,
  serviceInternetPorts: internetEgressPorts([
    config.llm.baseUrl,
    config.vectorDb.mode === 'managed' ? config.vectorDb.url : undefined,
  ]),
});

const loadBalancer = new LoadBalancer(name, {
  vpcId: network.vpcId,
  publicSubnetIds: network.publicSubnetIds,
  securityGroupId: network.loadBalancerSecurityGroupId,
  servicePort: BACKEND_PORT,
  healthCheckPath: HEALTH_PATH,
  deregistrationDelaySeconds: config.service.stopTimeoutSeconds,
  deletionProtection: config.deletionProtection,
  logRetentionDays: config.logRetentionDays,
  domain: config.domain,
});

const edge = new Edge(name, {
  awsProfile: config.awsProfile,
  originDomainName: loadBalancer.originDomainName,
  originProtocol: loadBalancer.originProtocol,
  originVerifyHeader: loadBalancer.originVerifyHeader,
  domain: config.domain,
  priceClass: config.edge.priceClass,
  waf: {
    rateLimit: config.edge.rateLimit,
    chatRateLimit: config.edge.chatRateLimit,
    blockedCountries: config.edge.blockedCountries,
  },
  logRetentionDays: config.logRetentionDays,
});

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
      },
);

const cache = config.cache
  ? new Cache(name, {
      ...config.cache,
      subnetIds: network.publicSubnetIds,
      vpcId: network.vpcId,
      clientSecurityGroupId: network.serviceSecurityGroupId,
      deletionProtection: config.deletionProtection,
    })
  : undefined;

const image = new Image(
  name,
  config.image.prebuiltUri
    ? { prebuiltUri: config.image.prebuiltUri }
    : {
        context: repositoryRoot,
        dockerfile: 'backend/Dockerfile',
        imagesKept: config.image.imagesKept,
        deletionProtection: config.deletionProtection,
      },
);

const keys = providerKeys(secrets);
const providerSecrets =
  Object.keys(keys).length > 0
    ? new SecretStore(`${name}-providers`, {
        description: 'LoreChat: model provider API keys',
        values: keys,
        deletionProtection: config.deletionProtection,
      })
    : undefined;

// Signs visitor tokens; every task must share it, and it must survive deploys so tokens stay valid.
const visitorTokenSecret = new SecretStore(`${name}-visitor-tokens`, {
  description: 'LoreChat: the key that signs visitor tokens',
  generated: ['VISITOR_TOKEN_SECRET'],
  deletionProtection: config.deletionProtection,
});

const account = aws.getCallerIdentityOutput();
const environment = backendEnvironment(config, { publicUrl: edge.url, qdrantUrl: vectorDb.url });
const containerSecrets = [
  ...visitorTokenSecret.containerSecrets,
  ...(providerSecrets?.containerSecrets ?? []),
  ...vectorDb.containerSecrets,
  ...(cache?.containerSecrets ?? []),
];
const service = new Service(name, {
  subnetIds: network.publicSubnetIds,
  securityGroupId: network.serviceSecurityGroupId,
  image: image.imageUri,
  imageRepositoryArn: image.repositoryArn,
  containerPort: BACKEND_PORT,
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
  logRetentionDays: config.logRetentionDays,
  environment,
  secrets: containerSecrets,
  bedrockResourceArns: bedrockResourceArns(
    bedrockModelIds(config),
    config.region,
    account.accountId,
  ),
  targetGroupArn: loadBalancer.targetGroupArn,
  requestCountResourceLabel: loadBalancer.requestCountResourceLabel,
});

const monitoring = new Monitoring(name, {
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
  webAclName: edge.webAclName,
  usEast1Provider: edge.usEast1Provider,
  qdrantInstanceId: vectorDb.instanceId,
});

new Budget(name, {
  project: PROJECT,
  environment: config.stack,
  monthlyLimitUsd: config.monthlyBudgetUsd,
  topicArn: monitoring.alarmTopicArn,
});

const ingestJob =
  config.ingestSchedule && config.ingestSiteUrl
    ? new IngestJob(name, {
        command: [...INGEST_COMMAND, config.ingestSiteUrl],
        schedule: config.ingestSchedule,
        clusterArn: service.clusterArn,
        subnetIds: network.publicSubnetIds,
        securityGroupId: network.serviceSecurityGroupId,
        image: image.imageUri,
        imageRepositoryArn: image.repositoryArn,
        containerPort: BACKEND_PORT,
        cpu: config.service.cpu,
        memory: config.service.memory,
        environment,
        secrets: containerSecrets,
        bedrockResourceArns: bedrockResourceArns(
          config.embeddings.provider === 'bedrock' && config.embeddings.model
            ? [config.embeddings.model]
            : [],
          config.region,
          account.accountId,
        ),
        logRetentionDays: config.logRetentionDays,
        alarmTopicArn: monitoring.alarmTopicArn,
      })
    : undefined;

/** Where visitors reach LoreChat. */
export const siteUrl = edge.url;
/** The script tag to paste into the site's pages. */
export const widgetSnippet = edge.url.apply((url) => widgetScriptTag(url, config.siteKey));
export const loadBalancerName = loadBalancer.loadBalancerName;
export const distributionId = edge.distributionId;
export const clusterName = service.clusterName;
export const serviceName = service.serviceName;
export const dashboardName = monitoring.dashboardName;
export const alarmTopicArn = monitoring.alarmTopicArn;
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
