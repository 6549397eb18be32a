import { readFileSync } from 'node:fs';
import * as path from 'node:path';

/**
 * What a resource type's arguments are, read from its SDK's own type definitions (the `…Args`
 * interface of `@pulumi/aws`, `@pulumi/awsx` or `@pulumi/random`), so the simulation treats each
 * type the way its provider does without a hand-kept list.
 */

const argsCache = new Map<string, string>();

/** The body of the type's `…Args` interface, or '' for a type outside these packages. */
function argsOf(type: string): string {
  const cached = argsCache.get(type);
  if (cached !== undefined) return cached;
  const match = /^(aws|awsx|random):([\w-]+)(?:\/(\w+))?:(\w+)$/.exec(type);
  let body = '';
  if (match) {
    const [, packageName = '', module = '', file, resource = ''] = match;
    const packageRoot = path.dirname(require.resolve(`@pulumi/${packageName}/package.json`));
    const fileName = file ?? resource.charAt(0).toLowerCase() + resource.slice(1);
    const directory = module === 'index' ? packageRoot : path.join(packageRoot, module);
    try {
      const definitions = readFileSync(path.join(directory, `${fileName}.d.ts`), 'utf8');
      body =
        new RegExp(`export interface ${resource}Args \\{([\\s\\S]*?)\\n\\}`).exec(
          definitions,
        )?.[1] ?? '';
    } catch {
      body = '';
    }
  }
  argsCache.set(type, body);
  return body;
}

/** Whether the type's arguments take `property`, and whether it may be left out. */
function takes(type: string, property: string): 'required' | 'optional' | undefined {
  const line = new RegExp(`^\\s{4}${property}(\\??):`, 'm').exec(argsOf(type));
  if (!line) return undefined;
  return line[1] === '?' ? 'optional' : 'required';
}

/** Whether a resource type takes `tags`: the provider merges its default tags into these. */
export function declaresTags(type: string): boolean {
  return takes(type, 'tags') !== undefined;
}

/**
 * The property the provider fills with a generated name when the program leaves it out (Pulumi's
 * auto-naming): an optional `name`, or the type's own equivalent (`bucket`, `replicationGroupId`).
 * Undefined for types that take no such name.
 */
export function autoNamedProperty(type: string): string | undefined {
  const property = NAME_PROPERTY[type] ?? 'name';
  return takes(type, property) === 'optional' ? property : undefined;
}

/** Types whose generated name is not called `name`. */
const NAME_PROPERTY: Readonly<Record<string, string>> = {
  'aws:s3/bucket:Bucket': 'bucket',
  'aws:elasticache/replicationGroup:ReplicationGroup': 'replicationGroupId',
  'aws:rds/cluster:Cluster': 'clusterIdentifier',
  'aws:rds/clusterInstance:ClusterInstance': 'identifier',
};
