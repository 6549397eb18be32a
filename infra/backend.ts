import { METRICS_NAMESPACE } from '@lorechat/contracts';
import * as pulumi from '@pulumi/pulumi';
import { handoffEnvironment } from './components/handoff';
import { type StackConfig } from './config';

/**
 * What the LoreChat backend needs from the infrastructure: its environment variables (the ones
 * README.md documents), the Bedrock models it calls, and how to run its commands in the cluster.
 */

/** The port the backend listens on inside the container. */
export const BACKEND_PORT = 3000;

/** The command inside the image that crawls and indexes a site. */
export const INGEST_COMMAND = ['node', 'dist/cli.js', 'ingest', '--site'];

/**
 * Non-secret environment of the backend in AWS. The bundled docs are not indexed
 * (`LORECHAT_DOCS_DIR` empty): the index holds the site owner's pages, filled by the ingest job.
 */
export function backendEnvironment(
  config: StackConfig,
  endpoints: { publicUrl: pulumi.Input<string>; qdrantUrl: pulumi.Input<string> },
): Record<string, pulumi.Input<string>> {
  const environment: Record<string, pulumi.Input<string>> = {
    // CloudFront appends the visitor's address to X-Forwarded-For and the ALB appends CloudFront's:
    // the visitor is the entry left of those two, for per-IP quotas.
    TRUST_PROXY_HOPS: '2',
    SITES: pulumi.output(endpoints.publicUrl).apply((publicUrl) => sitesSetting(config, publicUrl)),
    PORT: String(BACKEND_PORT),
    HOST: '0.0.0.0',
    PUBLIC_URL: endpoints.publicUrl,
    LORECHAT_DATA_DIR: '/data',
    LORECHAT_DOCS_DIR: '',
    LOG_LEVEL: config.service.logLevel,
    LLM_PROVIDER: config.llm.provider,
    AWS_REGION: config.region,
    EMBEDDING_PROVIDER: config.embeddings.provider,
    VECTOR_STORE: 'qdrant',
    QDRANT_URL: endpoints.qdrantUrl,
    // Embedded metric lines in the log: the custom metrics the alarms and scaling read.
    METRICS_ENABLED: 'true',
    METRICS_NAMESPACE,
    METRICS_ENVIRONMENT: config.stack,
    // The conversation log, in the stack's Aurora database (DATABASE_URL is a secret).
    ANALYTICS_ENABLED: String(config.analytics.enabled),
    ANALYTICS_STORE: 'postgres',
    ANALYTICS_RETENTION_DAYS: String(config.analytics.retentionDays),
  };
  // The console shows when the next crawl runs.
  if (config.ingestSchedule) environment.INGEST_SCHEDULE = config.ingestSchedule;
  if (config.llm.model) environment.LLM_MODEL = config.llm.model;
  if (config.llm.baseUrl) environment.LLM_BASE_URL = config.llm.baseUrl;
  if (config.embeddings.model) environment.EMBEDDING_MODEL = config.embeddings.model;
  return { ...environment, ...handoffEnvironment(config.handoff) };
}

/**
 * The backend's SITES setting: the stack's site key, allowed from the LoreChat site itself (its demo
 * page) and from the site it crawls, where the widget is pasted.
 */
export function sitesSetting(config: StackConfig, publicUrl: string): string {
  const origins = [new URL(publicUrl).origin];
  if (config.ingestSiteUrl) origins.push(new URL(config.ingestSiteUrl).origin);
  return `${config.siteKey}=${[...new Set(origins)].join(',')}`;
}

/** The model provider keys the backend reads, by environment variable. */
export function providerKeys(secrets: {
  openaiApiKey?: pulumi.Input<string>;
  anthropicApiKey?: pulumi.Input<string>;
}): Record<string, pulumi.Input<string>> {
  const keys: Record<string, pulumi.Input<string>> = {};
  if (secrets.openaiApiKey) keys.OPENAI_API_KEY = secrets.openaiApiKey;
  if (secrets.anthropicApiKey) keys.ANTHROPIC_API_KEY = secrets.anthropicApiKey;
  return keys;
}

/** The Bedrock model ids the stack is configured to call, for answers and for embeddings. */
export function bedrockModelIds(config: StackConfig): string[] {
  const ids: string[] = [];
  if (config.llm.provider === 'bedrock' && config.llm.model) ids.push(config.llm.model);
  if (config.embeddings.provider === 'bedrock' && config.embeddings.model) {
    ids.push(config.embeddings.model);
  }
  return [...new Set(ids)];
}

/** Cross-region inference profiles carry a geography before the model id: `eu.amazon.nova-…`. */
const INFERENCE_PROFILE_PREFIX = /^(us|us-gov|eu|apac|ca|jp|au|global)\./;

/**
 * The ARNs the task role may invoke. A plain model id is a foundation model in this region. An
 * inference profile routes each request to one of several regions, so it needs the profile and
 * the underlying model in every region.
 */
export function bedrockResourceArns(
  modelIds: string[],
  region: string,
  accountId: pulumi.Input<string>,
): pulumi.Input<string>[] {
  return modelIds.flatMap((id): pulumi.Input<string>[] => {
    const geography = INFERENCE_PROFILE_PREFIX.exec(id);
    if (!geography) return [`arn:aws:bedrock:${region}::foundation-model/${id}`];
    const model = id.slice(geography[0].length);
    return [
      pulumi.interpolate`arn:aws:bedrock:${region}:${accountId}:inference-profile/${id}`,
      `arn:aws:bedrock:*::foundation-model/${model}`,
    ];
  });
}

/** The script tag a site owner pastes into their pages. */
export function widgetScriptTag(siteUrl: string, siteKey: string): string {
  return `<script src="${siteUrl}/widget.js" data-site-key="${siteKey}" async></script>`;
}

/**
 * An `aws ecs run-task` command that runs the ingest job once, in the service's network and with
 * its task definition, on Fargate Spot (a crawl that is interrupted is simply run again).
 */
export function ingestRunTaskCommand(args: {
  region: string;
  clusterName: string;
  taskDefinitionFamily: string;
  containerName: string;
  subnetIds: string[];
  securityGroupId: string;
  siteUrl?: string;
}): string {
  const overrides = JSON.stringify({
    containerOverrides: [
      {
        name: args.containerName,
        command: [...INGEST_COMMAND, args.siteUrl ?? 'https://www.example.com'],
      },
    ],
  });
  const network = `awsvpcConfiguration={subnets=[${args.subnetIds.join(',')}],securityGroups=[${args.securityGroupId}],assignPublicIp=ENABLED}`;
  return [
    'aws ecs run-task',
    `--region ${args.region}`,
    `--cluster ${args.clusterName}`,
    `--task-definition ${args.taskDefinitionFamily}`,
    '--capacity-provider-strategy capacityProvider=FARGATE_SPOT,weight=1',
    `--network-configuration '${network}'`,
    `--overrides '${overrides}'`,
  ].join(' ');
}
