import { SIMULATED_ACCOUNT_ID } from '../../../simulation/mocks';
import { allOf, container, input, oneOf, isSecret, rolePolicy } from '../recorded';
import { type ProgramRun } from '../../../simulation/runProgram';
import { type StackContext } from './context';

/** The image, Qdrant and Redis. */
export function describeData(context: StackContext): void {
  const { shape, config, securityGroupId } = context;
  let run: ProgramRun;
  beforeAll(() => {
    run = context.run();
  });
  describe('image', () => {
    it('runs the configured image by digest and builds nothing, pulling from its repository only', () => {
      expect(config.imageUri).toMatch(/@sha256:[a-f0-9]{64}$/);
      expect(container(run).image).toBe(config.imageUri);
      expect(container(run, `${config.resourcePrefix}-ingest`).image).toBe(config.imageUri);
      expect(
        run.resources.filter((resource) => /^(aws:ecr\/|awsx:ecr:|docker)/.test(resource.type)),
      ).toEqual([]);
      const pull = rolePolicy(run, `${config.resourcePrefix}-execution`).Statement.find(
        (statement) => statement.Sid === 'PullImage',
      );
      expect(pull?.Resource).toBe(
        `arn:aws:ecr:eu-west-1:${SIMULATED_ACCOUNT_ID}:repository/lorechat`,
      );
      expect(run.outputs.imageUri).toBe(config.imageUri);
    });
  });

  describe('Qdrant', () => {
    it('runs on a Graviton instance with IMDSv2, encrypted disks and no key in its user data', () => {
      if (config.vectorDb.mode !== 'self-hosted')
        throw new Error('stack files use self-hosted Qdrant');
      const instance = oneOf(run, 'aws:ec2/instance:Instance');
      expect(instance.inputs).toMatchObject({
        instanceType: config.vectorDb.instanceType,
        metadataOptions: expect.objectContaining({ httpTokens: 'required' }),
        rootBlockDevice: expect.objectContaining({ encrypted: true }),
        vpcSecurityGroupIds: [securityGroupId('qdrant')],
      });
      expect(config.vectorDb.instanceType).toMatch(/^[a-z]+\d+g/);
      const apiKey = oneOf(
        run,
        'random:index/randomPassword:RandomPassword',
        `${config.resourcePrefix}-qdrant-api-key`,
      );
      expect(input<string>(instance, 'userData')).not.toContain(String(apiKey.outputs.result));
      expect(input<string>(instance, 'userData')).toContain(
        `qdrant/qdrant:${config.vectorDb.version}-unprivileged`,
      );
      // Swap, so the smallest instance survives a burst of memory, on an 8 GiB root volume.
      expect(input<string>(instance, 'userData')).toContain('swapon -a');
      expect(instance.inputs.rootBlockDevice).toMatchObject({ volumeSize: 8 });
    });

    it('keeps data on an encrypted gp3 volume, snapshotted daily, and recovers the instance', () => {
      if (config.vectorDb.mode !== 'self-hosted')
        throw new Error('stack files use self-hosted Qdrant');
      const volume = oneOf(run, 'aws:ebs/volume:Volume');
      expect(volume.inputs).toMatchObject({
        type: 'gp3',
        encrypted: true,
        size: config.vectorDb.volumeSizeGiB,
      });
      const snapshotTag = (volume.inputs.tags as Record<string, string>).Snapshot;
      expect(
        oneOf(run, 'aws:dlm/lifecyclePolicy:LifecyclePolicy').inputs.policyDetails,
      ).toMatchObject({
        resourceTypes: ['VOLUME'],
        targetTags: { Snapshot: snapshotTag },
        schedules: [
          expect.objectContaining({ retainRule: { count: config.vectorDb.snapshotsKept } }),
        ],
      });
      expect(oneOf(run, 'aws:ec2/volumeAttachment:VolumeAttachment').inputs).toMatchObject({
        volumeId: volume.id,
      });
      expect(
        oneOf(
          run,
          'aws:cloudwatch/metricAlarm:MetricAlarm',
          `${config.resourcePrefix}-qdrant-recover`,
        ).inputs,
      ).toMatchObject({
        metricName: 'StatusCheckFailed_System',
        alarmActions: [`arn:aws:automate:${config.region}:ec2:recover`],
      });
    });
  });

  describe('Redis', () => {
    if (shape.redis) {
      it('is encrypted at rest and in transit, password-protected, replicated as configured', () => {
        const cache = config.cache;
        const group = oneOf(run, 'aws:elasticache/replicationGroup:ReplicationGroup');
        expect(group.inputs).toMatchObject({
          atRestEncryptionEnabled: true,
          transitEncryptionEnabled: true,
          nodeType: cache?.nodeType,
          numCacheClusters: 1 + (cache?.replicas ?? 0),
          automaticFailoverEnabled: (cache?.replicas ?? 0) > 0,
          securityGroupIds: [securityGroupId('redis')],
        });
        expect(isSecret(group.inputs.authToken)).toBe(true);
      });
    } else {
      it('is not created', () => {
        expect(allOf(run, 'aws:elasticache/replicationGroup:ReplicationGroup')).toEqual([]);
      });
    }
  });
}
