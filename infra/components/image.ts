import * as aws from '@pulumi/aws';
import * as awsx from '@pulumi/awsx';
import * as pulumi from '@pulumi/pulumi';

export type ImageArgs =
  | {
      /** A prebuilt image, such as one pushed by CI: nothing is built or stored. */
      prebuiltUri: string;
    }
  | {
      /** The repository root: the Docker build context. */
      context: string;
      /** The Dockerfile, relative to the context. */
      dockerfile: string;
      /** Images kept in the repository; older ones are deleted. */
      imagesKept: number;
      deletionProtection: boolean;
    };

/**
 * The LoreChat container image: built from backend/Dockerfile for arm64 and pushed to a private
 * ECR repository that scans each push and keeps the last few images, or a prebuilt image.
 */
export class Image extends pulumi.ComponentResource {
  /** An immutable reference (by digest) when built here. */
  readonly imageUri: pulumi.Output<string>;
  /** The ECR repository holding the image, if it is in ECR: the one the tasks may pull from. */
  readonly repositoryArn?: pulumi.Output<string>;

  constructor(name: string, args: ImageArgs, opts?: pulumi.ComponentResourceOptions) {
    super('lorechat:image:Image', name, {}, opts);

    if ('prebuiltUri' in args) {
      this.imageUri = pulumi.output(args.prebuiltUri);
      const repositoryArn = ecrRepositoryArn(args.prebuiltUri);
      this.repositoryArn = repositoryArn ? pulumi.output(repositoryArn) : undefined;
      this.registerOutputs({ imageUri: this.imageUri });
      return;
    }

    const repository = new aws.ecr.Repository(
      `${name}-backend`,
      {
        imageScanningConfiguration: { scanOnPush: true },
        // Each build is pushed under the same tag and deployed by digest, so tags must move.
        imageTagMutability: 'MUTABLE',
        encryptionConfigurations: [{ encryptionType: 'AES256' }],
        forceDelete: !args.deletionProtection,
      },
      { parent: this },
    );
    new aws.ecr.LifecyclePolicy(
      `${name}-backend`,
      { repository: repository.name, policy: keepLastImagesPolicy(args.imagesKept) },
      { parent: this },
    );
    const image = new awsx.ecr.Image(
      `${name}-backend`,
      {
        repositoryUrl: repository.repositoryUrl,
        context: args.context,
        dockerfile: args.dockerfile,
        platform: 'linux/arm64',
      },
      { parent: this },
    );
    this.imageUri = image.imageUri;
    this.repositoryArn = repository.arn;

    this.registerOutputs({ imageUri: this.imageUri, repositoryArn: this.repositoryArn });
  }
}

/** An ECR lifecycle policy expiring all but the newest `count` images. */
export function keepLastImagesPolicy(count: number): string {
  return JSON.stringify({
    rules: [
      {
        rulePriority: 1,
        description: `Keep the last ${count} images`,
        selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: count },
        action: { type: 'expire' },
      },
    ],
  });
}

/** The repository ARN of an ECR image reference, or undefined for any other registry. */
export function ecrRepositoryArn(imageUri: string): string | undefined {
  const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com\/([^:@]+)/.exec(imageUri);
  if (!match) return undefined;
  const [, account, region, repository] = match;
  return `arn:aws:ecr:${region}:${account}:repository/${repository}`;
}
