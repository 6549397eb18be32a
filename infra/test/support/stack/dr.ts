import { allOf, input, oneOf, regionOf } from '../recorded';
import { type ProgramRun } from '../../../simulation/runProgram';
import { type StackContext } from './context';

/** Disaster recovery: what the stack keeps in its standby region (docs/operations.md). */
export function describeDisasterRecovery(context: StackContext): void {
  const { config } = context;
  let run: ProgramRun;
  beforeAll(() => {
    run = context.run();
  });
  describe('disaster recovery', () => {
    const serverSecrets = () =>
      // The signing key, admin token and database URL, and the model provider keys. The keys of
      // Qdrant and Redis are not replicated: a standby runs its own of each, with its own key.
      allOf(run, 'aws:secretsmanager/secret:Secret').filter((secret) =>
        [`${config.resourcePrefix}-visitor-tokens`, `${config.resourcePrefix}-providers`].includes(
          secret.name,
        ),
      );

    if (config.dr) {
      const dr = config.dr;
      it(`replicates the server's secrets to ${dr.region}`, () => {
        expect(serverSecrets().length).toBeGreaterThan(0);
        for (const secret of serverSecrets()) {
          expect([secret.name, secret.inputs.replicas]).toEqual([
            secret.name,
            [{ region: dr.region }],
          ]);
        }
      });

      if (config.vectorDb.mode === 'self-hosted') {
        it(`copies each Qdrant snapshot to ${dr.region}, kept ${dr.snapshotCopyDays} days`, () => {
          const policy = oneOf(run, 'aws:dlm/lifecyclePolicy:LifecyclePolicy');
          const { schedules } = input<{ schedules: Record<string, unknown>[] }>(
            policy,
            'policyDetails',
          );
          for (const schedule of schedules) {
            expect(schedule.crossRegionCopyRules).toEqual([
              {
                target: dr.region,
                encrypted: true,
                copyTags: true,
                retainRule: { interval: dr.snapshotCopyDays, intervalUnit: 'DAYS' },
              },
            ]);
          }
        });
      }

      it('creates nothing in the standby region itself: AWS makes the copies and replicas', () => {
        const regions = new Set(
          run.resources
            .filter((resource) => resource.custom && resource.type.startsWith('aws:'))
            .map((resource) => regionOf(run, resource)),
        );
        expect(regions.has(dr.region)).toBe(false);
      });
    } else {
      it('keeps everything in its own region: no replicas, no snapshot copies', () => {
        for (const secret of serverSecrets()) expect(secret.inputs.replicas).toBeUndefined();
        for (const policy of allOf(run, 'aws:dlm/lifecyclePolicy:LifecyclePolicy')) {
          expect(JSON.stringify(policy.inputs)).not.toContain('crossRegionCopyRules');
        }
      });
    }
  });
}
