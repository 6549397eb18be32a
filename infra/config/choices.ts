/**
 * The values a stack setting may take, where the choice is a fixed list. The backend's own choices
 * (providers, log levels) come from the shared contracts, so a stack can only pass what it accepts.
 */
export {
  EMBEDDING_PROVIDERS,
  LLM_PROVIDERS,
  LOG_LEVELS,
  type EmbeddingProviderName,
  type LlmProviderName,
  type LogLevelName,
} from '@lorechat/contracts';

export const PROJECT = 'lorechat';

/**
 * The environments a stack belongs to. Rules (deletion protection, the policy pack's prod rules)
 * and the Environment tag follow the environment, never the stack's name, so a second stack of
 * prod (its standby region, `prod-dr`) is held to prod's rules.
 */
export const ENVIRONMENTS = ['dev', 'staging', 'prod'] as const;
export type EnvironmentName = (typeof ENVIRONMENTS)[number];

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
export const SECRET_KEYS = [
  'openaiApiKey',
  'anthropicApiKey',
  'qdrantApiKey',
  // A Slack incoming webhook's URL is its own credential.
  'handoffWebhookUrl',
] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

function range(from: number, to: number, step: number): number[] {
  return Array.from({ length: (to - from) / step + 1 }, (_, index) => from + index * step);
}
