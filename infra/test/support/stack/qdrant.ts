import * as ipaddr from 'ipaddr.js';
import {
  SNAPSHOT_INGEST_GAP_MINUTES,
  dailyUtcMinutes,
  minutesApart,
  timeOfDayMinutes,
} from '../../../config';
import { type RecordedResource } from '../../../simulation/mocks';
import { type ProgramRun } from '../../../simulation/runProgram';
import { allOf, container, input, oneOf } from '../recorded';
import { type StackContext } from './context';

/**
 * The self-hosted Qdrant: one node per zone, each with its own volume and fixed address, a
 * cluster when there are several, and the options that make an upgrade replace nodes safely.
 */
export function describeQdrant(context: StackContext): void {
  const { config, securityGroupId } = context;
  let run: ProgramRun;
  beforeAll(() => {
    run = context.run();
  });
  const settings = () => {
    if (config.vectorDb.mode !== 'self-hosted')
      throw new Error('stack files use self-hosted Qdrant');
    return config.vectorDb;
  };
  /** Node `i`'s instance, volume, attachment and the subnet AWS placed it in. */
  const nodes = () =>
    allOf(run, 'aws:ec2/instance:Instance').map((instance) => {
      const attachment = allOf(run, 'aws:ec2/volumeAttachment:VolumeAttachment').find(
        (candidate) => candidate.inputs.instanceId === instance.id,
      );
      const volume = allOf(run, 'aws:ebs/volume:Volume').find(
        (candidate) => candidate.id === attachment?.inputs.volumeId,
      );
      const subnet = run.calls.find(
        (call) =>
          call.token === 'aws:ec2/getSubnet:getSubnet' &&
          call.inputs.id === instance.inputs.subnetId,
      );
      if (!attachment || !volume || !subnet) throw new Error(`${instance.name} has no volume`);
      return { instance, attachment, volume, subnetId: String(subnet.inputs.id) };
    });
  const userData = (instance: RecordedResource) => input<string>(instance, 'userData');
  const environment = () =>
    Object.fromEntries(container(run).environment.map(({ name, value }) => [name, value]));

  describe('Qdrant', () => {
    it('runs one Graviton node per zone with IMDSv2, encrypted disks and no key in its user data', () => {
      const found = nodes();
      expect(found).toHaveLength(settings().nodes);
      const apiKey = oneOf(
        run,
        'random:index/randomPassword:RandomPassword',
        `${config.resourcePrefix}-qdrant-api-key`,
      );
      for (const { instance } of found) {
        expect(instance.inputs).toMatchObject({
          instanceType: settings().instanceType,
          metadataOptions: expect.objectContaining({ httpTokens: 'required' }),
          rootBlockDevice: expect.objectContaining({ encrypted: true, volumeSize: 8 }),
          vpcSecurityGroupIds: [securityGroupId('qdrant')],
        });
        expect(userData(instance)).not.toContain(String(apiKey.outputs.result));
        expect(userData(instance)).toContain(`qdrant/qdrant:${settings().version}-unprivileged`);
        // Swap, so the smallest instance survives a burst of memory.
        expect(userData(instance)).toContain('swapon -a');
      }
      // Each node in its own subnet and zone, its volume beside it.
      const zones = found.map(({ volume }) => String(volume.inputs.availabilityZone));
      expect(new Set(zones).size).toBe(settings().nodes);
      expect(new Set(found.map(({ subnetId }) => subnetId)).size).toBe(settings().nodes);
    });

    it('gives each node a fixed address in its subnet, reserved so that no task takes it', () => {
      for (const { instance, subnetId } of nodes()) {
        const address = String(instance.inputs.privateIp);
        const reservation = allOf(run, 'aws:ec2/subnetCidrReservation:SubnetCidrReservation').find(
          (candidate) => candidate.inputs.subnetId === subnetId,
        );
        expect(reservation?.inputs.reservationType).toBe('explicit');
        const reserved = ipaddr.IPv4.parseCIDR(String(reservation?.inputs.cidrBlock));
        expect(ipaddr.IPv4.parse(address).match(reserved)).toBe(true);
        expect(instance.outputs.privateIp).toBe(address);
      }
    });

    it('keeps each node’s data on its own encrypted gp3 volume, snapshotted daily apart from the crawl', () => {
      const found = nodes();
      for (const { volume } of found) {
        expect(volume.inputs).toMatchObject({
          type: 'gp3',
          encrypted: true,
          size: settings().volumeSizeGiB,
        });
        expect(volume.protect).toBe(config.deletionProtection);
      }
      const tags = new Set(
        found.map(({ volume }) => (volume.inputs.tags as Record<string, string>).Snapshot),
      );
      expect(tags.size).toBe(1);
      const policy = oneOf(run, 'aws:dlm/lifecyclePolicy:LifecyclePolicy').inputs.policyDetails;
      expect(policy).toMatchObject({
        resourceTypes: ['VOLUME'],
        targetTags: { Snapshot: [...tags][0] },
        schedules: [
          expect.objectContaining({
            createRule: expect.objectContaining({ times: settings().snapshotTime }),
            retainRule: { count: settings().snapshotsKept },
          }),
        ],
      });
      // The crawl's schedule as EventBridge Scheduler runs it, in UTC.
      const schedules = allOf(run, 'aws:scheduler/schedule:Schedule');
      for (const schedule of schedules) {
        expect(schedule.inputs.scheduleExpressionTimezone).toBe('UTC');
        const crawl = dailyUtcMinutes(String(schedule.inputs.scheduleExpression));
        if (crawl === undefined)
          throw new Error('the stack files crawl once a day at a fixed time');
        expect(
          minutesApart(crawl, timeOfDayMinutes(settings().snapshotTime)),
        ).toBeGreaterThanOrEqual(SNAPSHOT_INGEST_GAP_MINUTES);
      }
    });

    it('recovers each node from a failed host and alarms on its status checks', () => {
      for (const { instance } of nodes()) {
        const recover = allOf(run, 'aws:cloudwatch/metricAlarm:MetricAlarm').find(
          (alarm) =>
            alarm.name === `${instance.name}-recover` &&
            (alarm.inputs.dimensions as Record<string, string>).InstanceId === instance.id,
        );
        expect(recover?.inputs).toMatchObject({
          metricName: 'StatusCheckFailed_System',
          alarmActions: [`arn:aws:automate:${config.region}:ec2:recover`],
        });
      }
    });

    it('replaces a node when its user data changes, deleting first, one node after the other', () => {
      const found = nodes();
      for (const [index, { instance, attachment }] of found.entries()) {
        expect(instance.inputs.userDataReplaceOnChange).toBe(true);
        expect(instance.options?.deleteBeforeReplace).toBe(true);
        expect(attachment.options?.deleteBeforeReplace).toBe(true);
        expect(attachment.inputs.stopInstanceBeforeDetaching).toBe(true);
        const previous = found[index - 1];
        if (previous) expect(instance.options?.dependsOn).toContain(previous.attachment.urn);
      }
      for (const { volume } of found) expect(volume.options?.ignoreChanges).toContain('snapshotId');
    });

    if (context.shape.qdrantNodes > 1) {
      it('forms one cluster: the first node starts it, the others join it by its fixed address', () => {
        const [first, ...others] = nodes();
        if (!first) throw new Error('no Qdrant node');
        const uri = (instance: RecordedResource) =>
          `http://${String(instance.inputs.privateIp)}:6335`;
        expect(userData(first.instance)).toContain(`./qdrant --uri '${uri(first.instance)}'\n`);
        for (const { instance } of others) {
          expect(userData(instance)).toContain(
            `./qdrant --uri '${uri(instance)}' --bootstrap '${uri(first.instance)}'`,
          );
        }
        for (const { instance } of nodes()) {
          expect(userData(instance)).toContain('QDRANT__CLUSTER__ENABLED=true');
          expect(userData(instance)).toContain('--publish 6335:6335');
        }
      });

      it('opens the peer port between the nodes only', () => {
        const peerRules = run.resources.filter(
          (resource) =>
            resource.type.startsWith('aws:vpc/securityGroup') &&
            (resource.inputs.fromPort === 6335 || resource.inputs.toPort === 6335),
        );
        expect(peerRules.map((rule) => rule.type).sort()).toEqual([
          'aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule',
          'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule',
        ]);
        for (const rule of peerRules) {
          expect(rule.inputs).toMatchObject({
            securityGroupId: securityGroupId('qdrant'),
            referencedSecurityGroupId: securityGroupId('qdrant'),
            toPort: 6335,
          });
        }
      });

      it('has the server use every node and keep two copies of each shard, writing on one', () => {
        const addresses = nodes().map(
          ({ instance }) => `http://${String(instance.inputs.privateIp)}:6333`,
        );
        expect(environment()).toMatchObject({
          QDRANT_URL: addresses.join(','),
          QDRANT_REPLICATION_FACTOR: '2',
          QDRANT_WRITE_CONSISTENCY: '1',
          QDRANT_SHARD_NUMBER: String(2 * settings().nodes),
        });
      });
    } else {
      it('runs a single node, with the server’s default collection settings', () => {
        expect(userData(oneOf(run, 'aws:ec2/instance:Instance'))).not.toContain('QDRANT__CLUSTER');
        expect(Object.keys(environment())).not.toContain('QDRANT_REPLICATION_FACTOR');
      });
    }
  });
}
