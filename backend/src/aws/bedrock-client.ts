import {
  BedrockRuntimeClient,
  type BedrockRuntimeClientConfig,
} from '@aws-sdk/client-bedrock-runtime';
import { NodeHttpHandler } from '@smithy/node-http-handler';

/**
 * Client settings the app leaves to the AWS default credential chain (the ECS task role in
 * production) and that tests set explicitly.
 */
export type BedrockClientOverrides = Pick<BedrockRuntimeClientConfig, 'credentials'>;

export interface BedrockClientSettings {
  region?: string;
  /** A VPC endpoint, or a local test server. */
  baseUrl?: string;
  maxRetries: number;
  timeoutMs: number;
}

/** The Bedrock runtime client that both the answerer and the embeddings use. */
export function createBedrockClient(
  settings: BedrockClientSettings,
  overrides: BedrockClientOverrides = {},
): BedrockRuntimeClient {
  return new BedrockRuntimeClient({
    region: settings.region,
    endpoint: settings.baseUrl,
    maxAttempts: settings.maxRetries + 1,
    // HTTP/1.1 rather than the client's default HTTP/2 handler, which only bidirectional streams
    // need. The timeouts bound connecting and waiting for the response headers (the stream guard
    // bounds the silences after); without throwOnRequestTimeout the SDK would only log a warning.
    requestHandler: new NodeHttpHandler({
      connectionTimeout: settings.timeoutMs,
      requestTimeout: settings.timeoutMs,
      throwOnRequestTimeout: true,
    }),
    ...overrides,
  });
}
