import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { CUSTOM_METRIC } from '../components/metrics';

/**
 * The alarms, dashboard and connection scaling read metrics by name; the backend writes them. The
 * two workspaces cannot import each other (each builds alone), so this test holds them together.
 */
describe('custom metric names', () => {
  const backendSource = readFileSync(
    path.join(__dirname, '..', '..', 'backend', 'src', 'metrics', 'metrics.ts'),
    'utf8',
  );
  const backendTable =
    /export const METRIC = \{([\s\S]*?)\} as const;/.exec(backendSource)?.[1] ?? '';
  const backendMetrics = Object.fromEntries(
    [...backendTable.matchAll(/(\w+): '([^']+)'/g)].map(([, key, name]) => [key, name]),
  );

  it('are the ones the backend writes', () => {
    expect(backendMetrics).toEqual(CUSTOM_METRIC);
  });
});
