import * as aws from '@pulumi/aws';
import * as pulumi from '@pulumi/pulumi';
import { policyDocument, type PolicyStatement } from '../iam';

/** GitHub's OIDC issuer, and the audience AWS's credentials action asks for. */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';
export const GITHUB_OIDC_AUDIENCE = 'sts.amazonaws.com';

/**
 * The roles' names, fixed so the workflows can derive their ARNs from the account id in each stack
 * file. `lorechat-ci-…` never matches `lorechat-<stack>-…`, the names the deploy roles may manage.
 */
export const roleNames = {
  preview: (stack: string) => `lorechat-ci-${stack}-preview`,
  deploy: (stack: string) => `lorechat-ci-${stack}-deploy`,
  imagePush: 'lorechat-ci-image-push',
};

/** The `sub` claims GitHub puts in a job's token, by what started the job. */
export const githubSubjects = {
  /** A pull request from a branch of the repository; a fork's pull request gets no token at all. */
  pullRequest: (repository: string) => `repo:${repository}:pull_request`,
  /** A job that runs in a GitHub environment, which can require a reviewer. */
  environment: (repository: string, name: string) => `repo:${repository}:environment:${name}`,
  /** A push to the main branch. */
  main: (repository: string) => `repo:${repository}:ref:refs/heads/main`,
};

/** A trust policy: the GitHub OIDC provider, for tokens of this audience and exactly this subject. */
export function githubTrustPolicy(
  providerArn: pulumi.Input<string>,
  subject: string,
): pulumi.Output<string> {
  return pulumi.jsonStringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: providerArn },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: {
            [`${GITHUB_OIDC_HOST}:aud`]: GITHUB_OIDC_AUDIENCE,
            [`${GITHUB_OIDC_HOST}:sub`]: subject,
          },
        },
      },
    ],
  });
}

/** Lets a role use the Pulumi state bucket: read all, and `write` to lock and store. */
export function stateBucketStatements(bucket: string, write: boolean): PolicyStatement[] {
  const arn = `arn:aws:s3:::${bucket}`;
  return [
    {
      Sid: 'ListState',
      Effect: 'Allow',
      Action: ['s3:ListBucket', 's3:GetBucketLocation'],
      Resource: arn,
    },
    {
      Sid: write ? 'ReadWriteState' : 'ReadStateAndLock',
      Effect: 'Allow',
      Action: write ? ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'] : ['s3:GetObject'],
      Resource: `${arn}/*`,
    },
    // A preview takes a lock too, so it may write (and remove) lock files only.
    ...(write
      ? []
      : [
          {
            Sid: 'LockState',
            Effect: 'Allow' as const,
            Action: ['s3:PutObject', 's3:DeleteObject'],
            Resource: `${arn}/.pulumi/locks/*`,
          },
        ]),
  ];
}

/**
 * What a deploy role may do in IAM beyond PowerUserAccess (which grants everything but IAM): the
 * roles and instance profiles of its own stack (`lorechat-<stack>-…`), which it may pass to AWS
 * services, and attach only the two AWS-managed policies the program attaches.
 */
export function deployIamStatements(
  accountId: pulumi.Input<string>,
  stack: string,
): PolicyStatement[] {
  const roles = pulumi.interpolate`arn:aws:iam::${accountId}:role/lorechat-${stack}-*`;
  const profiles = pulumi.interpolate`arn:aws:iam::${accountId}:instance-profile/lorechat-${stack}-*`;
  return [
    {
      Sid: 'ManageStackRoles',
      Effect: 'Allow',
      Action: [
        'iam:CreateRole',
        'iam:DeleteRole',
        'iam:GetRole',
        'iam:UpdateRole',
        'iam:UpdateRoleDescription',
        'iam:UpdateAssumeRolePolicy',
        'iam:TagRole',
        'iam:UntagRole',
        'iam:ListRoleTags',
        'iam:PutRolePolicy',
        'iam:GetRolePolicy',
        'iam:DeleteRolePolicy',
        'iam:ListRolePolicies',
        'iam:ListAttachedRolePolicies',
        'iam:ListInstanceProfilesForRole',
        'iam:PassRole',
      ],
      Resource: roles,
    },
    {
      Sid: 'AttachManagedPolicies',
      Effect: 'Allow',
      Action: ['iam:AttachRolePolicy', 'iam:DetachRolePolicy'],
      Resource: roles,
      Condition: {
        ArnEquals: {
          'iam:PolicyARN': [
            'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore',
            'arn:aws:iam::aws:policy/service-role/AWSDataLifecycleManagerServiceRole',
          ],
        },
      },
    },
    {
      Sid: 'ManageStackInstanceProfiles',
      Effect: 'Allow',
      Action: [
        'iam:CreateInstanceProfile',
        'iam:DeleteInstanceProfile',
        'iam:GetInstanceProfile',
        'iam:TagInstanceProfile',
        'iam:UntagInstanceProfile',
        'iam:AddRoleToInstanceProfile',
        'iam:RemoveRoleFromInstanceProfile',
      ],
      Resource: profiles,
    },
  ];
}

export interface CiRolesArgs {
  stack: string;
  repository: string;
  oidcProviderArn: pulumi.Input<string>;
  accountId: pulumi.Input<string>;
  stateBucket?: string;
}

/**
 * A LoreChat stack's two roles for GitHub Actions. The preview role is read-only, assumable by a
 * pull request from a branch of the repository (never a fork's), and may not read secret values.
 * The deploy role is assumable only by a job running in the stack's GitHub environment, whose
 * reviewers guard it, and may change this stack's resources.
 */
export class CiRoles extends pulumi.ComponentResource {
  readonly previewRoleArn: pulumi.Output<string>;
  readonly deployRoleArn: pulumi.Output<string>;

  constructor(name: string, args: CiRolesArgs, opts?: pulumi.ComponentResourceOptions) {
    super('lorechat:bootstrap:CiRoles', name, {}, opts);

    const preview = new aws.iam.Role(
      `${name}-preview`,
      {
        name: roleNames.preview(args.stack),
        description: `Previews the LoreChat ${args.stack} stack from pull requests: read-only`,
        assumeRolePolicy: githubTrustPolicy(
          args.oidcProviderArn,
          githubSubjects.pullRequest(args.repository),
        ),
        maxSessionDuration: 3600,
      },
      { parent: this },
    );
    new aws.iam.RolePolicyAttachment(
      `${name}-preview-read-only`,
      { role: preview.name, policyArn: 'arn:aws:iam::aws:policy/ReadOnlyAccess' },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-preview`,
      {
        role: preview.id,
        policy: policyDocument([
          {
            // Pull request code runs with this role: no secret value may reach it.
            Sid: 'NoSecretValues',
            Effect: 'Deny',
            Action: ['secretsmanager:GetSecretValue', 'ssm:GetParameter', 'ssm:GetParameters'],
            Resource: pulumi.interpolate`arn:aws:*:*:${args.accountId}:*`,
          },
          ...(args.stateBucket ? stateBucketStatements(args.stateBucket, false) : []),
        ]),
      },
      { parent: this },
    );

    const deploy = new aws.iam.Role(
      `${name}-deploy`,
      {
        name: roleNames.deploy(args.stack),
        description: `Deploys the LoreChat ${args.stack} stack from its GitHub environment`,
        assumeRolePolicy: githubTrustPolicy(
          args.oidcProviderArn,
          githubSubjects.environment(args.repository, args.stack),
        ),
        maxSessionDuration: 7200,
      },
      { parent: this },
    );
    new aws.iam.RolePolicyAttachment(
      `${name}-deploy-power-user`,
      { role: deploy.name, policyArn: 'arn:aws:iam::aws:policy/PowerUserAccess' },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-deploy`,
      {
        role: deploy.id,
        policy: policyDocument([
          ...deployIamStatements(args.accountId, args.stack),
          ...(args.stateBucket ? stateBucketStatements(args.stateBucket, true) : []),
        ]),
      },
      { parent: this },
    );

    this.previewRoleArn = preview.arn;
    this.deployRoleArn = deploy.arn;
    this.registerOutputs({
      previewRoleArn: this.previewRoleArn,
      deployRoleArn: this.deployRoleArn,
    });
  }
}
