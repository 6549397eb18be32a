import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import * as random from '@pulumi/random';
import { secretReplicas } from './dr';

/** A secret handed to the container as an environment variable, read by ECS at task start. */
export interface ContainerSecret {
  /** The environment variable the application reads. */
  name: string;
  /**
   * `<secret ARN>:<JSON key>::<version id>`: one key of a JSON secret, at one version. A new value
   * is a new version, so it changes the task definition and rolls the tasks onto it.
   */
  valueFrom: pulumi.Output<string>;
  /** The secret that holds it, so the task execution role can be allowed to read exactly this. */
  secretArn: pulumi.Output<string>;
}

export interface SecretStoreArgs {
  description: string;
  /** Environment variable name → secret value. */
  values?: Record<string, pulumi.Input<string>>;
  /**
   * Environment variables whose value is a random key made here once and kept in state (encrypted):
   * signing keys that every task must share and that must survive deploys.
   */
  generated?: string[];
  /** Keep a deleted secret recoverable for 30 days instead of deleting it at once. */
  deletionProtection: boolean;
  /** The standby region, where Secrets Manager keeps a read-only replica of the secret. */
  replicaRegion?: string;
}

/**
 * One Secrets Manager secret holding several values as JSON, one key per environment variable.
 * The values live in Pulumi state only as encrypted secrets, and reach the container through the
 * task definition's `secrets`, never its `environment`.
 */
export class SecretStore extends pulumi.ComponentResource {
  readonly arn: pulumi.Output<string>;
  readonly containerSecrets: ContainerSecret[];

  constructor(name: string, args: SecretStoreArgs, opts?: pulumi.ComponentResourceOptions) {
    super('lorechat:secrets:SecretStore', name, {}, opts);

    const secret = new aws.secretsmanager.Secret(
      name,
      {
        description: args.description,
        // Without protection, destroy means gone: a re-created stack starts clean.
        recoveryWindowInDays: args.deletionProtection ? 30 : 0,
        replicas: secretReplicas(args.replicaRegion),
      },
      { parent: this },
    );
    const values: Record<string, pulumi.Input<string>> = { ...args.values };
    for (const key of args.generated ?? []) {
      values[key] = new random.RandomPassword(
        `${name}-${key.toLowerCase().replace(/_/g, '-')}`,
        { length: 48, special: false },
        { parent: this },
      ).result;
    }
    const version = new aws.secretsmanager.SecretVersion(
      name,
      { secretId: secret.id, secretString: pulumi.secret(pulumi.jsonStringify(values)) },
      { parent: this },
    );
    this.arn = secret.arn;
    this.containerSecrets = Object.keys(values)
      .sort()
      .map((key) => ({
        name: key,
        // Pinned to the version: no task starts before the value is stored, and a rotated value
        // reaches the tasks through a new task definition instead of waiting for a restart.
        valueFrom: pulumi.interpolate`${secret.arn}:${key}::${version.versionId}`,
        secretArn: secret.arn,
      }));

    this.registerOutputs({ arn: this.arn });
  }
}
