import { windowsOverlap } from '../../../components/cache';
import { SIMULATED_ACCOUNT_ID } from '../../../simulation/mocks';
import { allOf, container, oneOf, isSecret, rolePolicy } from '../recorded';
import { type ProgramRun } from '../../../simulation/runProgram';
import { type StackContext } from './context';

/** The image and Redis (Qdrant: ./qdrant.ts). */
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

      it('keeps daily snapshots as configured, outside the maintenance window, and a uniquely named final one', () => {
        const group = oneOf(run, 'aws:elasticache/replicationGroup:ReplicationGroup');
        const days = config.cache?.snapshotDays ?? 0;
        expect(group.inputs.snapshotRetentionLimit).toBe(days);
        if (config.deletionProtection) expect(days).toBeGreaterThanOrEqual(7);
        if (days > 0) {
          expect(
            windowsOverlap(
              String(group.inputs.snapshotWindow),
              String(group.inputs.maintenanceWindow),
            ),
          ).toBe(false);
        }
        if (config.deletionProtection) {
          expect(group.inputs.finalSnapshotIdentifier).toMatch(
            new RegExp(`^${config.resourcePrefix}-redis-final-[0-9a-f]{8}$`),
          );
        } else {
          expect(group.inputs.finalSnapshotIdentifier).toBeUndefined();
        }
      });
    } else {
      it('is not created', () => {
        expect(allOf(run, 'aws:elasticache/replicationGroup:ReplicationGroup')).toEqual([]);
      });
    }
  });
}
