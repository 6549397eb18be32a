import * as pulumi from '@pulumi/pulumi';
import { PROJECT, SECRET_KEYS, type SecretKey } from './choices';
import { CONFIG_DEFAULTS, type ConfigKey } from './defaults';
import { parseStackConfig } from './parse';
import {
  StackConfigError,
  type RawStackConfig,
  type StackConfig,
  type StackSecrets,
} from './types';

/**
 * The one typed, validated stack configuration. Every `lorechat:*` key is read here, once, before any
 * resource exists; components receive plain typed values and never read config themselves. Stacks
 * differ only through their `Pulumi.<stack>.yaml` files and the defaults (defaults.ts), which
 * Pulumi.yaml repeats for the CLI (a test keeps the two in step). The allowed values are in
 * choices.ts, each key's schema in fields.ts, the rules between keys in rules.ts.
 */

export * from './choices';
export * from './defaults';
export * from './types';
export { parseStackConfig } from './parse';
export { PLACEHOLDER_ACCOUNT_ID } from './aws';
export {
  SNAPSHOT_INGEST_GAP_MINUTES,
  dailyUtcMinutes,
  minutesApart,
  timeOfDayMinutes,
} from './resilience';

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
    aws: {
      region: aws.get('region'),
      profile: aws.get('profile'),
      allowedAccountIds: aws.get('allowedAccountIds'),
      assumeRoles: aws.get('assumeRoles'),
    },
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
