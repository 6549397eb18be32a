import { type EnvironmentVariable } from '@lorechat/contracts';
import { type AppConfig } from './app-config';

/** A variable that holds a provider's API key: a secret, never logged. */
export type KeyVariable = Extract<EnvironmentVariable, `${string}_API_KEY`>;

/**
 * What a provider declares about itself, beside its implementation: its id, its default model,
 * what it needs configured, and how to build it. Configuration reads the declarations to fill in
 * defaults and refuse an incomplete setup; the provider's module builds it with `create`.
 *
 * A descriptor is loaded with the configuration, at start-up, so it imports no implementation:
 * `create` requires it when the provider is picked, and a cloud SDK is loaded only by a server
 * that uses it.
 */
export interface ProviderDescriptor<Id extends string, Settings, Provider> {
  id: Id;
  /** The model used when none is configured. */
  defaultModel: string;
  /**
   * Its API key: required, unless `optionalWithBaseUrl` and the provider is pointed at a server of
   * the operator's own (`LLM_BASE_URL`, `EMBEDDING_BASE_URL`), which usually needs none.
   */
  apiKey?: { variable: KeyVariable; optionalWithBaseUrl: boolean };
  /** Needs AWS_REGION (and AWS credentials from the usual chain). */
  needsRegion: boolean;
  create(settings: Settings, config: AppConfig): Provider;
}
