import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { policyDocument } from '../iam';
import {
  GITHUB_OIDC_AUDIENCE,
  GITHUB_OIDC_HOST,
  githubSubjects,
  githubTrustPolicy,
  roleNames,
} from './github';

export interface ImageRepositoryArgs {
  repository: string;
  oidcProviderArn: pulumi.Input<string>;
  imagesKept: number;
  /** Other accounts whose stacks pull from this repository. */
  pullAccountIds: string[];
  /** Standby regions the registry copies every pushed image to, for the DR stacks there. */
  replicationRegions: string[];
  accountId: pulumi.Input<string>;
}

/**
 * The ECR repository CI pushes the LoreChat image to, once per commit of main, and the role that
 * pushes: assumable only by a workflow run of main. Stacks run an image by digest, so a tag may
 * move; the digest a stack runs never changes. Each push is scanned.
 */
export class ImageRepository extends pulumi.ComponentResource {
  readonly repositoryUrl: pulumi.Output<string>;
  readonly pushRoleArn: pulumi.Output<string>;

  constructor(name: string, args: ImageRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
    super('lorechat:bootstrap:ImageRepository', name, {}, opts);

    const repository = new aws.ecr.Repository(
      name,
      {
        name: 'lorechat',
        imageScanningConfiguration: { scanOnPush: true },
        imageTagMutability: 'MUTABLE',
        encryptionConfigurations: [{ encryptionType: 'AES256' }],
      },
      // The images every stack runs: never deleted with a careless destroy.
      { parent: this, protect: true },
    );
    new aws.ecr.LifecyclePolicy(
      name,
      { repository: repository.name, policy: keepLastImagesPolicy(args.imagesKept) },
      { parent: this },
    );
    if (args.replicationRegions.length > 0) {
      new aws.ecr.ReplicationConfiguration(
        name,
        {
          replicationConfiguration: imageReplication(
            args.replicationRegions,
            args.accountId,
            repository.name,
          ),
        },
        { parent: this },
      );
    }
    if (args.pullAccountIds.length > 0) {
      new aws.ecr.RepositoryPolicy(
        name,
        { repository: repository.name, policy: crossAccountPullPolicy(args.pullAccountIds) },
        { parent: this },
      );
    }

    const push = new aws.iam.Role(
      `${name}-push`,
      {
        name: roleNames.imagePush,
        description: 'Pushes the LoreChat image from CI runs of main',
        assumeRolePolicy: githubTrustPolicy(
          args.oidcProviderArn,
          githubSubjects.main(args.repository),
        ),
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-push`,
      {
        role: push.id,
        policy: policyDocument([
          // ECR issues registry tokens account-wide; the push itself is limited to one repository.
          {
            Sid: 'RegistryLogin',
            Effect: 'Allow',
            Action: 'ecr:GetAuthorizationToken',
            Resource: '*',
          },
          {
            Sid: 'PushImage',
            Effect: 'Allow',
            Action: [
              'ecr:BatchCheckLayerAvailability',
              'ecr:InitiateLayerUpload',
              'ecr:UploadLayerPart',
              'ecr:CompleteLayerUpload',
              'ecr:PutImage',
              'ecr:BatchGetImage',
              'ecr:DescribeImages',
            ],
            Resource: repository.arn,
          },
        ]),
      },
      { parent: this },
    );

    this.repositoryUrl = repository.repositoryUrl;
    this.pushRoleArn = push.arn;
    this.registerOutputs({ repositoryUrl: this.repositoryUrl, pushRoleArn: this.pushRoleArn });
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

/**
 * The registry's replication: every image pushed to the repository is copied, digest unchanged, to
 * a repository of the same name in each standby region, so a standby stack there runs the same
 * `…@sha256:` image from its own region's registry while the primary region is down. Replication
 * is a setting of the whole registry (one per account and region), so this stack, which owns the
 * registry's one repository, owns it; the filter keeps other repositories of the account out.
 */
export function imageReplication(
  regions: string[],
  accountId: pulumi.Input<string>,
  repositoryName: pulumi.Input<string>,
): aws.types.input.ecr.ReplicationConfigurationReplicationConfiguration {
  return {
    rules: [
      {
        destinations: regions.map((region) => ({ region, registryId: accountId })),
        repositoryFilters: [{ filter: repositoryName, filterType: 'PREFIX_MATCH' }],
      },
    ],
  };
}

/** Lets the named accounts pull (never push) the image. */
export function crossAccountPullPolicy(accountIds: string[]): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'PullFromStackAccounts',
        Effect: 'Allow',
        Principal: { AWS: accountIds.map((id) => `arn:aws:iam::${id}:root`) },
        Action: [
          'ecr:BatchGetImage',
          'ecr:GetDownloadUrlForLayer',
          'ecr:BatchCheckLayerAvailability',
        ],
      },
    ],
  });
}

/**
 * GitHub's OIDC identity provider in this account, or the one it already has (an account holds
 * one per issuer URL). AWS trusts GitHub's certificate authority for this issuer, so no thumbprint
 * is pinned.
 */
export function githubOidcProvider(
  name: string,
  create: boolean,
  accountId: pulumi.Input<string>,
  opts: pulumi.CustomResourceOptions,
): pulumi.Output<string> {
  if (!create)
    return pulumi.interpolate`arn:aws:iam::${accountId}:oidc-provider/${GITHUB_OIDC_HOST}`;
  return new aws.iam.OpenIdConnectProvider(
    name,
    { url: `https://${GITHUB_OIDC_HOST}`, clientIdLists: [GITHUB_OIDC_AUDIENCE] },
    opts,
  ).arn;
}

export interface AccountBudgetArgs {
  monthlyLimitUsd: number;
  email: string;
}

/**
 * A monthly budget on everything the account spends, tagged or not: the model calls, public IPv4
 * addresses, Container Insights and anything else no stack's tag budget can see.
 */
export class AccountBudget extends pulumi.ComponentResource {
  constructor(name: string, args: AccountBudgetArgs, opts?: pulumi.ComponentResourceOptions) {
    super('lorechat:bootstrap:AccountBudget', name, {}, opts);
    const notify = (notificationType: 'ACTUAL' | 'FORECASTED', threshold: number) => ({
      notificationType,
      comparisonOperator: 'GREATER_THAN',
      threshold,
      thresholdType: 'PERCENTAGE',
      subscriberEmailAddresses: [args.email],
    });
    new aws.budgets.Budget(
      name,
      {
        name: `${name}-monthly`,
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        limitAmount: args.monthlyLimitUsd.toFixed(2),
        limitUnit: 'USD',
        notifications: [notify('ACTUAL', 80), notify('FORECASTED', 100)],
      },
      { parent: this },
    );
    this.registerOutputs({});
  }
}
