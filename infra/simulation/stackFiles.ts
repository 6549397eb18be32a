import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { SIMULATED_ACCOUNT_ID } from './identity';

/** The repository root, where Pulumi.yaml and the stack files live. */
export const REPOSITORY_ROOT = path.resolve(__dirname, '..', '..');

/** A stack file value set with `pulumi config set --secret`. */
interface SecureValue {
  secure: string;
}

export type StackFileValue = string | number | boolean | string[] | SecureValue;

/** Configuration as the Pulumi engine hands it to a program: flat strings, secrets listed apart. */
export interface EngineConfig {
  values: Record<string, string>;
  secretKeys: string[];
}

interface ProjectFile {
  name: string;
  config?: Record<string, { default?: unknown; value?: unknown } | undefined>;
}

interface StackFile {
  config?: Record<string, StackFileValue>;
}

/** The bootstrap program's own project: its Pulumi.yaml and stack files. */
export const BOOTSTRAP_ROOT = path.join(REPOSITORY_ROOT, 'infra', 'bootstrap');

/** A project's Pulumi.yaml: the main program's at the repository root, or another's. */
export function readProjectFile(directory = REPOSITORY_ROOT): ProjectFile {
  return parse(readFileSync(path.join(directory, 'Pulumi.yaml'), 'utf8')) as ProjectFile;
}

export function readStackFile(stack: string, directory = REPOSITORY_ROOT): StackFile {
  const file = path.join(directory, `Pulumi.${stack}.yaml`);
  return (parse(readFileSync(file, 'utf8')) as StackFile | null) ?? {};
}

/**
 * The configuration the Pulumi CLI would give the program for a stack: the stack file's values
 * over Pulumi.yaml's defaults, keys namespaced by project. Encrypted values cannot be decrypted
 * here; each becomes a placeholder, distinct per ciphertext, that is still marked secret, so the
 * program treats it as one.
 * `overrides` replaces values, for tests of configurations no stack file holds.
 */
export function engineConfig(
  stack: string,
  overrides: Record<string, StackFileValue> = {},
  directory = REPOSITORY_ROOT,
): EngineConfig {
  const project = readProjectFile(directory);
  const values: Record<string, string> = {};
  const secretKeys: string[] = [];
  const namespaced = (key: string) => (key.includes(':') ? key : `${project.name}:${key}`);

  for (const [key, schema] of Object.entries(project.config ?? {})) {
    const fallback = schema?.default ?? schema?.value;
    if (fallback !== undefined) values[namespaced(key)] = engineString(fallback);
  }
  const stackValues = { ...readStackFile(stack, directory).config, ...overrides };
  for (const [key, value] of Object.entries(stackValues)) {
    const fullKey = namespaced(key);
    if (isSecure(value)) {
      // A different ciphertext stands for a different value, as a rotated key would.
      const digest = createHash('sha256').update(value.secure).digest('hex').slice(0, 8);
      values[fullKey] = `simulated-secret-${fullKey}-${digest}`;
      secretKeys.push(fullKey);
    } else {
      values[fullKey] = engineString(value);
    }
  }
  return { values, secretKeys };
}

export function isSecure(value: unknown): value is SecureValue {
  return typeof value === 'object' && value !== null && 'secure' in value;
}

/** Scalars as their text, lists and objects as JSON: what `pulumi.Config` receives. */
function engineString(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

/**
 * The image the simulation deploys: any digest, since nothing is pulled, from the registry of the
 * stack's region: a standby stack runs the replica in its own region (the bootstrap registry's
 * replication), with the same digest.
 */
export function simulatedImageUri(region: string): string {
  return `${SIMULATED_ACCOUNT_ID}.dkr.ecr.${region}.amazonaws.com/lorechat@sha256:${'5'.repeat(64)}`;
}

/**
 * What an operator sets before deploying a stack from the repository: the image CI built, their
 * account id, and their own domain, zone and alarm address in place of the stack file's examples
 * (which the program refuses). The simulation runs every stack with these.
 */
export function simulatedDeployment(stack: string): Record<string, StackFileValue> {
  const values = readStackFile(stack).config ?? {};
  const own = (value: StackFileValue | undefined) =>
    typeof value === 'string' ? value.replace(/example\.(com|net|org)$/, 'lorechat.test') : value;
  const deployment: Record<string, StackFileValue> = {
    'aws:allowedAccountIds': [SIMULATED_ACCOUNT_ID],
    'lorechat:imageUri': simulatedImageUri(
      typeof values['aws:region'] === 'string' ? values['aws:region'] : 'eu-west-1',
    ),
  };
  const domainName = own(values['lorechat:domainName']);
  if (domainName !== undefined) deployment['lorechat:domainName'] = domainName;
  if (values['lorechat:hostedZoneId'] !== undefined) {
    deployment['lorechat:hostedZoneId'] = 'Z04SIMULATEDZONE00001';
  }
  const alarmEmail = own(values['lorechat:alarmEmail']);
  if (alarmEmail !== undefined) deployment['lorechat:alarmEmail'] = alarmEmail;
  return deployment;
}
