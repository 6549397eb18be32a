import { type RecordedResource } from './mocks';

export interface InventoryRow {
  type: string;
  count: number;
  names: string[];
}

/** Resources grouped by type, most numerous first, each with its names. */
export function inventoryOf(resources: RecordedResource[]): InventoryRow[] {
  const byType = new Map<string, string[]>();
  for (const resource of resources) {
    byType.set(resource.type, [...(byType.get(resource.type) ?? []), resource.name]);
  }
  return [...byType.entries()]
    .map(([type, names]) => ({ type, count: names.length, names: names.sort() }))
    .sort((a, b) => b.count - a.count || a.type.localeCompare(b.type));
}

/**
 * Components that their providers expand at deploy time, out of the mocks' sight, and what they
 * become.
 */
export const REMOTE_COMPONENTS: Readonly<Record<string, string>> = {
  'awsx:ec2:Vpc':
    'the VPC, an internet gateway, and per zone a public subnet, route table, association and route',
};

/** The inventory as a plain-text table for reviewers. */
export function formatInventory(stack: string, rows: InventoryRow[]): string {
  const total = rows.reduce((sum, row) => sum + row.count, 0);
  const typeWidth = Math.max(4, ...rows.map((row) => row.type.length));
  const lines = [
    `Resource inventory of stack "${stack}": ${total} resources of ${rows.length} types`,
    '(from running the Pulumi program under mocks: no AWS account or Pulumi CLI involved)',
    '',
    `${'TYPE'.padEnd(typeWidth)}  COUNT  NAMES`,
    ...rows.map(
      (row) =>
        `${row.type.padEnd(typeWidth)}  ${String(row.count).padStart(5)}  ${row.names.join(', ')}`,
    ),
  ];
  const remote = rows.filter((row) => REMOTE_COMPONENTS[row.type]);
  if (remote.length > 0) {
    lines.push('', 'Expanded at deploy time:');
    for (const row of remote) lines.push(`  ${row.type}: ${REMOTE_COMPONENTS[row.type]}`);
  }
  return `${lines.join('\n')}\n`;
}
