import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

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

export function readProjectFile(): ProjectFile {
  return parse(readFileSync(path.join(REPOSITORY_ROOT, 'Pulumi.yaml'), 'utf8')) as ProjectFile;
}

export function readStackFile(stack: string): StackFile {
  const file = path.join(REPOSITORY_ROOT, `Pulumi.${stack}.yaml`);
  return (parse(readFileSync(file, 'utf8')) as StackFile | null) ?? {};
}

/**
 * The configuration the Pulumi CLI would give the program for a stack: the stack file's values
 * over Pulumi.yaml's defaults, keys namespaced by project. Encrypted values cannot be decrypted
 * here; each becomes a placeholder that is still marked secret, so the program treats it as one.
 * `overrides` replaces values, for tests of configurations no stack file holds.
 */
export function engineConfig(
  stack: string,
  overrides: Record<string, StackFileValue> = {},
): EngineConfig {
  const project = readProjectFile();
  const values: Record<string, string> = {};
  const secretKeys: string[] = [];
  const namespaced = (key: string) => (key.includes(':') ? key : `${project.name}:${key}`);

  for (const [key, schema] of Object.entries(project.config ?? {})) {
    const fallback = schema?.default ?? schema?.value;
    if (fallback !== undefined) values[namespaced(key)] = engineString(fallback);
  }
  const stackValues = { ...readStackFile(stack).config, ...overrides };
  for (const [key, value] of Object.entries(stackValues)) {
    const fullKey = namespaced(key);
    if (isSecure(value)) {
      values[fullKey] = `simulated-secret-${fullKey}`;
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
