import { LIVENESS_PATH } from '@lorechat/contracts';
import { BACKEND_PORT } from '../../../backend';
import { ORIGIN_KEEPALIVE_SECONDS } from '../../../components/edge';
import { IDLE_TIMEOUT_SECONDS } from '../../../components/loadBalancer';
import { SIMULATED_ACCOUNT_ID } from '../../../simulation/mocks';
import { container, input, oneOf } from '../recorded';
import { type ProgramRun } from '../../../simulation/runProgram';
import { type StackContext } from './context';

/** The load balancer: sessions, health checks, draining, access logs. */
export function describeLoadBalancer(context: StackContext): void {
  const { shape, config } = context;
  let run: ProgramRun;
  beforeAll(() => {
    run = context.run();
  });
  describe('load balancer', () => {
    it('keeps idle WebSockets open, with no sticky sessions (the widget speaks WebSocket only)', () => {
      const loadBalancer = oneOf(run, 'aws:lb/loadBalancer:LoadBalancer');
      expect(loadBalancer.inputs.idleTimeout).toBe(IDLE_TIMEOUT_SECONDS);
      // Socket.IO's ping interval (25 s) plus its ping timeout (20 s).
      expect(IDLE_TIMEOUT_SECONDS).toBeGreaterThan(45);
      // CloudFront must never reuse a connection the load balancer has already closed.
      expect(IDLE_TIMEOUT_SECONDS).toBeGreaterThan(ORIGIN_KEEPALIVE_SECONDS);
      const targetGroup = oneOf(run, 'aws:lb/targetGroup:TargetGroup');
      expect(targetGroup.inputs.stickiness).toBeUndefined();
    });

    it('checks liveness only, inside the task too, and drains a task as long as it may take to stop', () => {
      const targetGroup = oneOf(run, 'aws:lb/targetGroup:TargetGroup');
      expect(targetGroup.inputs).toMatchObject({
        targetType: 'ip',
        port: BACKEND_PORT,
        healthCheck: expect.objectContaining({ path: LIVENESS_PATH, matcher: '200' }),
        deregistrationDelay: config.service.stopTimeoutSeconds,
      });
      expect(LIVENESS_PATH).toBe('/health/live');
      const healthCheck = (container(run) as { healthCheck?: { command: string[] } }).healthCheck;
      expect(healthCheck?.command.join(' ')).toContain(
        `http://127.0.0.1:${BACKEND_PORT}${LIVENESS_PATH}`,
      );
      // The crawl is a batch job: nothing to check while it runs.
      expect(
        (container(run, `${config.resourcePrefix}-ingest`) as { healthCheck?: unknown })
          .healthCheck,
      ).toBeUndefined();
      expect(container(run).stopTimeout).toBe(config.service.stopTimeoutSeconds);
    });

    it('drops invalid headers and is protected from deletion as the stack says', () => {
      expect(oneOf(run, 'aws:lb/loadBalancer:LoadBalancer').inputs).toMatchObject({
        dropInvalidHeaderFields: true,
        enableDeletionProtection: shape.deletionProtection,
        internal: true,
      });
    });

    it('writes access logs, encrypted as log delivery requires, to a bucket that expires them', () => {
      const bucket = oneOf(run, 'aws:s3/bucket:Bucket');
      expect(oneOf(run, 'aws:lb/loadBalancer:LoadBalancer').inputs.accessLogs).toMatchObject({
        bucket: bucket.outputs.bucket,
        enabled: true,
      });
      expect(
        oneOf(
          run,
          'aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration',
        ).inputs.rules,
      ).toEqual([
        expect.objectContaining({
          applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' },
        }),
      ]);
      expect(
        oneOf(run, 'aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration').inputs.rules,
      ).toEqual([
        expect.objectContaining({
          status: 'Enabled',
          expiration: { days: config.logRetentionDays },
        }),
      ]);
      const policy = JSON.parse(
        input<string>(oneOf(run, 'aws:s3/bucketPolicy:BucketPolicy'), 'policy'),
      ) as {
        Statement: {
          Effect: string;
          Principal: unknown;
          Resource: unknown;
          Condition?: unknown;
        }[];
      };
      expect(policy.Statement).toEqual([
        expect.objectContaining({
          Effect: 'Allow',
          Principal: { Service: 'logdelivery.elasticloadbalancing.amazonaws.com' },
          Resource: expect.stringContaining(`/alb/AWSLogs/${SIMULATED_ACCOUNT_ID}/*`),
        }),
        expect.objectContaining({
          Effect: 'Deny',
          Condition: { Bool: { 'aws:SecureTransport': 'false' } },
        }),
      ]);
      expect(bucket.inputs.forceDestroy).toBe(!shape.deletionProtection);
    });
  });
}
