import { REPOSITORY_ROOT } from '../../../simulation/stackFiles';
import { allOf, arnOf, container, input, oneOf, isSecret, rolePolicy } from '../recorded';
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
    it('builds backend/Dockerfile for arm64 into a scanned repository that keeps the last images', () => {
      const image = oneOf(run, 'awsx:ecr:Image');
      expect(image.inputs).toMatchObject({
        platform: 'linux/arm64',
        dockerfile: 'backend/Dockerfile',
        context: REPOSITORY_ROOT,
      });
      const repository = oneOf(run, 'aws:ecr/repository:Repository');
      expect(repository.inputs).toMatchObject({
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: 'AES256' }],
        forceDelete: !shape.deletionProtection,
      });
      const lifecycle = JSON.parse(
        input<string>(oneOf(run, 'aws:ecr/lifecyclePolicy:LifecyclePolicy'), 'policy'),
      ) as { rules: { selection: { countNumber: number } }[] };
      expect(lifecycle.rules[0]?.selection.countNumber).toBe(config.image.imagesKept);
      expect(container(run).image).toBe(image.outputs.imageUri);
      const pull = rolePolicy(run, `${config.resourcePrefix}-execution`).Statement.find(
        (statement) => statement.Sid === 'PullImage',
      );
      expect(pull?.Resource).toBe(arnOf(repository));
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
        volumeId: `${volume.name}-id`,
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
