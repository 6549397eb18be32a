import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { alarmMetrics } from '../../../simulation/published';
import { REPOSITORY_ROOT } from '../../../simulation/stackFiles';
import { type ProgramRun } from '../../../simulation/runProgram';
import { allOf, input, oneOf } from '../recorded';
import { type StackContext } from './context';

const doc = (name: string) => readFileSync(path.join(REPOSITORY_ROOT, 'docs', name), 'utf8');

/** `$1,234.56`, in bold or not, as a number. */
const money = (cell: string) => Number(cell.replace(/[*$,\s]/g, ''));

/** The line items of a cost table: its rows up to the total, and the total. */
export function costTable(
  markdown: string,
  heading: string,
): {
  lines: { item: string; zero: number; busy: number }[];
  total: { zero: number; busy: number };
} {
  const start = markdown.indexOf(`## ${heading}`);
  if (start < 0) throw new Error(`docs/cost.md has no section "${heading}"`);
  const after = markdown.slice(start).split('\n').slice(1);
  const first = after.findIndex((line) => line.startsWith('|'));
  const end = after.findIndex((line, index) => index > first && !line.startsWith('|'));
  const rows = after.slice(first + 2, end < 0 ? undefined : end).map((line) =>
    line
      .split('|')
      .slice(1, -1)
      .map((cell) => cell.trim()),
  );
  const lines = rows
    .filter(([item]) => !item?.startsWith('**Total'))
    .map(([item = '', zero = '', busy = '']) => ({ item, zero: money(zero), busy: money(busy) }));
  const totalRow = rows.find(([item]) => item?.startsWith('**Total'));
  return { lines, total: { zero: money(totalRow?.[1] ?? ''), busy: money(totalRow?.[2] ?? '') } };
}

/**
 * The docs against the program: docs/cost.md's table of this stack counts what the program really
 * creates, and adds up; docs/operations.md explains every alarm it creates.
 */
export function describeDocs(context: StackContext): void {
  const { stack, config } = context;
  let run: ProgramRun;
  beforeAll(() => {
    run = context.run();
  });

  describe('docs', () => {
    const cost = doc('cost.md');
    const table = costTable(cost, `Estimated monthly cost of the ${stack} stack`);
    const line = (start: string) => {
      const found = table.lines.find((candidate) => candidate.item.startsWith(start));
      if (!found) throw new Error(`the ${stack} cost table has no "${start}" line`);
      return found;
    };
    const cents = (value: number) => Math.round(value * 100) / 100;

    it('docs/cost.md adds up its table of this stack', () => {
      const sum = (column: 'zero' | 'busy') =>
        cents(table.lines.reduce((total, item) => total + item[column], 0));
      expect([sum('zero'), sum('busy')]).toEqual([table.total.zero, table.total.busy]);
      if (stack === 'dev') expect(table.total.zero).toBeLessThanOrEqual(45);
    });

    it('docs/cost.md counts the public addresses, volumes, secrets, WAF rules and alarm metrics the program creates', () => {
      const loadBalancer = oneOf(run, 'aws:lb/loadBalancer:LoadBalancer');
      const instances = allOf(run, 'aws:ec2/instance:Instance');
      const addresses =
        config.service.minTasks +
        instances.filter((instance) => instance.inputs.associatePublicIpAddress === true).length +
        (loadBalancer.inputs.internal === true ? 0 : config.network.availabilityZones);
      expect(line('Public IPv4').zero).toBe(cents(addresses * 3.65));

      const [instance] = instances;
      const root = Number(
        (instance?.inputs.rootBlockDevice as { volumeSize?: number } | undefined)?.volumeSize,
      );
      const volumes = allOf(run, 'aws:ebs/volume:Volume');
      const data = Number(volumes[0]?.inputs.size);
      expect(line('EBS gp3').item).toContain(`${root} GiB root + ${data} GiB data`);
      expect(line('EBS gp3').zero).toBe(cents(volumes.length * (root + data) * 0.088));
      expect(line(`EC2 \`${String(instance?.inputs.instanceType)}\``).item).toContain(
        volumes.length > 1 ? `${volumes.length} ×` : 'for Qdrant',
      );
      expect(line(`EC2 \`${String(instance?.inputs.instanceType)}\``).zero).toBeGreaterThan(0);

      const secrets = allOf(run, 'aws:secretsmanager/secret:Secret').length;
      expect(line('Secrets Manager').item).toContain(`${secrets} secrets`);
      expect(line('Secrets Manager').zero).toBe(cents(secrets * 0.4));

      const rules = input<unknown[]>(oneOf(run, 'aws:wafv2/webAcl:WebAcl'), 'rules').length;
      expect(line('WAF').item).toContain(`web ACL + ${rules} rule`);
      expect(line('WAF').zero).toBe(cents(5 + rules));

      const alarms = allOf(run, 'aws:cloudwatch/metricAlarm:MetricAlarm');
      const alarmMetricCount = alarms.flatMap(alarmMetrics).length;
      const mentions = cost.slice(cost.indexOf(`cost of the ${stack} stack`));
      expect(mentions).toContain(`${alarmMetricCount} alarm metrics`);
    });

    it('docs/cost.md describes this stack as its stack file configures it', () => {
      const row = cost
        .split('\n')
        .find((candidate) => candidate.startsWith(`| \`${stack}\` `) && candidate.includes('vCPU'));
      if (config.vectorDb.mode !== 'self-hosted')
        throw new Error('stack files use self-hosted Qdrant');
      expect(row).toContain(`| ${config.network.availabilityZones} `);
      expect(row).toContain(
        `\`${config.vectorDb.instanceType}\`, ${config.vectorDb.volumeSizeGiB} GiB data`,
      );
      expect(row).toContain(config.service.containerInsights ? '| on ' : '| off ');
    });

    it('docs/operations.md explains every alarm the program creates', () => {
      const operations = doc('operations.md');
      for (const alarm of allOf(run, 'aws:cloudwatch/metricAlarm:MetricAlarm')) {
        const suffix = alarm.name.slice(`${config.resourcePrefix}-`.length);
        expect([suffix, operations.includes(`\`${suffix}\``)]).toEqual([suffix, true]);
      }
    });
  });
}
