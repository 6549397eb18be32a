import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { AwsProviders } from '../components/providers';
import { standardTags } from '../tagging';
import { AccountBudget, ImageRepository, githubOidcProvider } from './account';
import { loadBootstrapConfig } from './config';
import { CiRoles } from './github';

/**
 * The bootstrap program: what LoreChat's deploys need once in each AWS account, before any stack
 * (docs/deploy.md walks through it). GitHub's OIDC provider; per LoreChat stack in the account, a
 * read-only preview role and a deploy role; the image repository and the role that pushes to it;
 * a budget on all the account spends.
 */
const config = loadBootstrapConfig();
const name = 'lorechat';

const providers = new AwsProviders(`${name}-bootstrap`, {
  region: config.aws.region,
  profile: config.aws.profile,
  allowedAccountIds: config.aws.allowedAccountIds,
  assumeRoles: config.aws.assumeRoles,
  tags: standardTags('lorechat', 'bootstrap'),
});
const inRegion: pulumi.ComponentResourceOptions = { providers: { aws: providers.regional } };

const accountId = aws.getCallerIdentityOutput({}, { provider: providers.regional }).accountId;

class GitHubAccess extends pulumi.ComponentResource {
  readonly oidcProviderArn: pulumi.Output<string>;
  readonly roles: Record<string, CiRoles> = {};

  constructor(opts: pulumi.ComponentResourceOptions) {
    super('lorechat:bootstrap:GitHubAccess', `${name}-github`, {}, opts);
    this.oidcProviderArn = githubOidcProvider(
      `${name}-github`,
      config.createOidcProvider,
      accountId,
      {
        parent: this,
      },
    );
    for (const stack of config.environments) {
      this.roles[stack] = new CiRoles(
        `${name}-ci-${stack}`,
        {
          stack,
          repository: config.githubRepository,
          oidcProviderArn: this.oidcProviderArn,
          accountId,
          stateBucket: config.stateBucket,
        },
        { parent: this },
      );
    }
    this.registerOutputs({ oidcProviderArn: this.oidcProviderArn });
  }
}

const github = new GitHubAccess(inRegion);

const image = config.imageRepository
  ? new ImageRepository(
      `${name}-image`,
      {
        repository: config.githubRepository,
        oidcProviderArn: github.oidcProviderArn,
        imagesKept: config.imagesKept,
        pullAccountIds: config.pullAccountIds,
        replicationRegions: config.imageReplicationRegions,
        accountId,
      },
      inRegion,
    )
  : undefined;

new AccountBudget(
  `${name}-account`,
  { monthlyLimitUsd: config.accountMonthlyBudgetUsd, email: config.budgetEmail },
  inRegion,
);

export const oidcProviderArn = github.oidcProviderArn;
export const previewRoleArns = Object.fromEntries(
  Object.entries(github.roles).map(([stack, roles]) => [stack, roles.previewRoleArn]),
);
export const deployRoleArns = Object.fromEntries(
  Object.entries(github.roles).map(([stack, roles]) => [stack, roles.deployRoleArn]),
);
/** Set it as the repository's `LORECHAT_IMAGE_REPOSITORY` Actions variable. */
export const imageRepositoryUrl = image?.repositoryUrl;
export const imagePushRoleArn = image?.pushRoleArn;
