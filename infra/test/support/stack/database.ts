import { POSTGRES_PORT, RDS_CA_BUNDLE_PATH } from '../../../components/database';
import { type ProgramRun } from '../../../simulation/runProgram';
import { allOf, container, input, isSecret, oneOf } from '../recorded';
import { type StackContext } from './context';

/** The conversation log's Aurora database, which the owner's console reads. */
export function describeDatabase(context: StackContext): void {
  const { config, securityGroupId } = context;
  const prefix = config.resourcePrefix;
  let run: ProgramRun;
  beforeAll(() => {
    run = context.run();
  });
  const cluster = () => oneOf(run, 'aws:rds/cluster:Cluster');

  describe('conversation log database', () => {
    it('is Aurora Serverless v2 PostgreSQL, encrypted, backed up and protected as configured', () => {
      const { database, deletionProtection } = config;
      expect(cluster().inputs).toMatchObject({
        engine: 'aurora-postgresql',
        engineMode: 'provisioned',
        storageEncrypted: true,
        backupRetentionPeriod: database.backupDays,
        copyTagsToSnapshot: true,
        deletionProtection,
        skipFinalSnapshot: !deletionProtection,
        serverlessv2ScalingConfiguration: {
          minCapacity: database.minCapacity,
          maxCapacity: database.maxCapacity,
          ...(database.minCapacity === 0
            ? { secondsUntilAutoPause: database.autoPauseSeconds }
            : {}),
        },
      });
      const instances = allOf(run, 'aws:rds/clusterInstance:ClusterInstance');
      expect(instances).toHaveLength(1 + database.readers);
      for (const instance of instances) {
        expect(instance.inputs).toMatchObject({
          clusterIdentifier: cluster().id,
          instanceClass: 'db.serverless',
          publiclyAccessible: false,
        });
      }
    });

    it('lives in the isolated subnets, reachable from the LoreChat tasks only', () => {
      const vpc = oneOf(run, 'awsx:ec2:Vpc');
      const subnetGroup = oneOf(run, 'aws:rds/subnetGroup:SubnetGroup');
      expect(subnetGroup.inputs.subnetIds).toEqual(vpc.outputs.isolatedSubnetIds);
      expect(subnetGroup.inputs.subnetIds).toHaveLength(config.network.availabilityZones);
      // The subnet group is named as RDS keeps it: by its generated name, in lower case.
      expect(cluster().inputs.dbSubnetGroupName).toBe(subnetGroup.outputs.name);
      const database = securityGroupId('database');
      expect(cluster().inputs.vpcSecurityGroupIds).toEqual([database]);
      const ingress = allOf(run, 'aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule')
        .filter((rule) => rule.inputs.securityGroupId === database)
        .map((rule) => rule.inputs);
      expect(ingress).toEqual([
        expect.objectContaining({
          referencedSecurityGroupId: securityGroupId('service'),
          fromPort: POSTGRES_PORT,
          toPort: POSTGRES_PORT,
        }),
      ]);
      expect(
        allOf(run, 'aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule').filter(
          (rule) => rule.inputs.securityGroupId === database,
        ),
      ).toEqual([]);
    });

    it('keeps its password and URL secret: in state, in Secrets Manager and in the tasks', () => {
      expect(isSecret(cluster().inputs.masterPassword)).toBe(true);
      const password = input<string>(cluster(), 'masterPassword');
      const version = oneOf(
        run,
        'aws:secretsmanager/secretVersion:SecretVersion',
        `${prefix}-visitor-tokens`,
      );
      expect(isSecret(version.inputs.secretString)).toBe(true);
      const stored = JSON.parse(input<string>(version, 'secretString')) as Record<string, string>;
      const url = new URL(stored.DATABASE_URL ?? '');
      expect(url.password).toBe(password);
      // The endpoint AWS gives the cluster, and TLS that checks it against the RDS authorities.
      expect(url.hostname).toBe(cluster().outputs.endpoint);
      expect(url.hostname).toMatch(/\.cluster-[a-z0-9]{12}\.eu-west-1\.rds\.amazonaws\.com$/);
      expect(url.searchParams.get('sslmode')).toBe('verify-full');
      expect(url.searchParams.get('sslrootcert')).toBe(RDS_CA_BUNDLE_PATH);
      expect(stored.ADMIN_TOKEN).toMatch(/^[A-Za-z0-9]{48}$/);
      for (const family of [undefined, `${prefix}-ingest`]) {
        const definition = container(run, family);
        expect(definition.secrets.map((secret) => secret.name)).toEqual(
          expect.arrayContaining(['DATABASE_URL', 'ADMIN_TOKEN']),
        );
        for (const { value } of definition.environment) {
          expect(value).not.toContain(password);
          expect(value).not.toContain(stored.ADMIN_TOKEN);
        }
        expect(
          Object.fromEntries(definition.environment.map((e) => [e.name, e.value])),
        ).toMatchObject({
          ANALYTICS_STORE: 'postgres',
          ANALYTICS_ENABLED: String(config.analytics.enabled),
          ANALYTICS_RETENTION_DAYS: String(config.analytics.retentionDays),
        });
      }
    });

    it('names the cluster and the console as AWS and CloudFront will', () => {
      // Auto-named: the logical name with a random suffix, which the metrics' DBClusterIdentifier is.
      expect(run.outputs.databaseClusterIdentifier).toBe(cluster().outputs.clusterIdentifier);
      expect(run.outputs.databaseClusterIdentifier).toMatch(new RegExp(`^${prefix}-database-`));
      expect(run.outputs.databaseClusterIdentifier).not.toBe(`${prefix}-database`);
      expect(run.outputs.consoleUrl).toBe(`${String(run.outputs.siteUrl)}/admin`);
      const secret = oneOf(run, 'aws:secretsmanager/secret:Secret', `${prefix}-visitor-tokens`);
      expect(run.outputs.adminTokenSecretArn).toBe(secret.outputs.arn);
    });
  });
}
