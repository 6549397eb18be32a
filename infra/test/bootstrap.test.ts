import { BOOTSTRAP_KEYS, parseBootstrapConfig } from '../bootstrap/config';
import { roleNames } from '../bootstrap/github';
import { StackConfigError } from '../config';
import { policies as policyPack } from '../policy/rules';
import { SIMULATED_ACCOUNT_ID } from '../simulation/mocks';
import { runBootstrap, type ProgramRun } from '../simulation/runProgram';
import { declaresTags } from '../simulation/sdkSchema';
import { BOOTSTRAP_ROOT, engineConfig, readProjectFile } from '../simulation/stackFiles';
import { targetOf, violationsOf } from './support/policies';
import { allOf, input, oneOf, rolePolicy, type PolicyDocument } from './support/recorded';

/**
 * The bootstrap program (infra/bootstrap/), run under the same simulation as the main program:
 * what a first deploy needs in an empty account, and nothing that lets a pull request deploy.
 */
const OWN = {
  'aws:allowedAccountIds': [SIMULATED_ACCOUNT_ID],
  'lorechat-bootstrap:githubRepository': 'lorechat-org/lorechat',
  'lorechat-bootstrap:budgetEmail': 'billing@lorechat.test',
};
const REPOSITORY = 'lorechat-org/lorechat';

const trustOf = (run: ProgramRun, roleName: string) => {
  const role = allOf(run, 'aws:iam/role:Role').find(
    (candidate) => candidate.inputs.name === roleName,
  );
  if (!role) throw new Error(`no role named ${roleName}`);
  return JSON.parse(input<string>(role, 'assumeRolePolicy')) as PolicyDocument;
};

describe('infra/bootstrap', () => {
  let run: ProgramRun;

  beforeAll(async () => {
    run = await runBootstrap('account', OWN);
  });

  it('declares in Pulumi.yaml every key its config reads', () => {
    const keys = Object.keys(readProjectFile(BOOTSTRAP_ROOT).config ?? {}).filter(
      (key) => !key.includes(':'),
    );
    expect(keys.sort()).toEqual([...BOOTSTRAP_KEYS].sort());
  });

  it('as committed, stops a preview up front, naming the values an operator must set', () => {
    const { values } = engineConfig('account', {}, BOOTSTRAP_ROOT);
    const own = Object.fromEntries(
      Object.entries(values)
        .filter(([key]) => key.startsWith('lorechat-bootstrap:'))
        .map(([key, value]) => [key.slice('lorechat-bootstrap:'.length), value]),
    );
    let problems: string[] = [];
    try {
      parseBootstrapConfig({
        aws: { region: values['aws:region'], allowedAccountIds: values['aws:allowedAccountIds'] },
        values: own,
      });
    } catch (error) {
      if (!(error instanceof StackConfigError)) throw error;
      problems = error.problems;
    }
    expect(problems.map((problem) => /^([\w:-]+)/.exec(problem)?.[1]).sort()).toEqual([
      'aws:allowedAccountIds',
      'lorechat-bootstrap:budgetEmail',
      'lorechat-bootstrap:githubRepository',
    ]);
  });

  it("creates GitHub's OIDC provider for AWS's audience", () => {
    expect(oneOf(run, 'aws:iam/openIdConnectProvider:OpenIdConnectProvider').inputs).toMatchObject({
      url: 'https://token.actions.githubusercontent.com',
      clientIdLists: ['sts.amazonaws.com'],
    });
  });

  it.each(['dev', 'staging', 'prod'])(
    'gives %s a read-only preview role for pull requests of the repository, never a fork',
    (stack) => {
      const [statement] = trustOf(run, roleNames.preview(stack)).Statement;
      expect(statement?.Condition).toEqual({
        StringEquals: {
          'token.actions.githubusercontent.com:aud': 'sts.amazonaws.com',
          'token.actions.githubusercontent.com:sub': `repo:${REPOSITORY}:pull_request`,
        },
      });
      const attachments = allOf(run, 'aws:iam/rolePolicyAttachment:RolePolicyAttachment').filter(
        (attachment) => attachment.name === `lorechat-ci-${stack}-preview-read-only`,
      );
      expect(attachments.map((attachment) => attachment.inputs.policyArn)).toEqual([
        'arn:aws:iam::aws:policy/ReadOnlyAccess',
      ]);
      const deny = rolePolicy(run, `lorechat-ci-${stack}-preview`).Statement.find(
        (candidate) => candidate.Effect === 'Deny',
      );
      expect(deny?.Action).toEqual(
        expect.arrayContaining(['secretsmanager:GetSecretValue', 'ssm:GetParameter']),
      );
    },
  );

  it.each(['dev', 'staging', 'prod'])(
    "gives %s a deploy role for jobs in its GitHub environment, managing only its own stack's IAM",
    (stack) => {
      const [statement] = trustOf(run, roleNames.deploy(stack)).Statement;
      expect(statement?.Condition).toMatchObject({
        StringEquals: {
          'token.actions.githubusercontent.com:sub': `repo:${REPOSITORY}:environment:${stack}`,
        },
      });
      const iam = rolePolicy(run, `lorechat-ci-${stack}-deploy`).Statement;
      for (const grant of iam) {
        for (const resource of [grant.Resource].flat()) {
          expect(resource).toMatch(
            new RegExp(
              `^arn:aws:iam::${SIMULATED_ACCOUNT_ID}:(role|instance-profile)/lorechat-${stack}-\\*$`,
            ),
          );
        }
        // Its own role and the other CI roles are named lorechat-ci-…: out of its reach.
        expect(`lorechat-ci-${stack}-deploy`.startsWith(`lorechat-${stack}-`)).toBe(false);
      }
    },
  );

  it('keeps the image in a scanned repository that only runs of main push to', () => {
    expect(oneOf(run, 'aws:ecr/repository:Repository').inputs).toMatchObject({
      name: 'lorechat',
      imageScanningConfiguration: { scanOnPush: true },
    });
    expect(oneOf(run, 'aws:ecr/repository:Repository').protect).toBe(true);
    const [statement] = trustOf(run, roleNames.imagePush).Statement;
    expect(statement?.Condition).toMatchObject({
      StringEquals: {
        'token.actions.githubusercontent.com:sub': `repo:${REPOSITORY}:ref:refs/heads/main`,
      },
    });
    const push = rolePolicy(run, 'lorechat-image-push').Statement.find(
      (candidate) => candidate.Sid === 'PushImage',
    );
    expect(push?.Resource).toBe(oneOf(run, 'aws:ecr/repository:Repository').outputs.arn);
    expect(run.outputs.imageRepositoryUrl).toBe(
      `${SIMULATED_ACCOUNT_ID}.dkr.ecr.eu-west-1.amazonaws.com/lorechat`,
    );
  });

  it("copies every pushed image to the prod stack's standby region, this repository only", () => {
    const replication = oneOf(run, 'aws:ecr/replicationConfiguration:ReplicationConfiguration');
    expect(replication.inputs.replicationConfiguration).toEqual({
      rules: [
        {
          destinations: [{ region: 'eu-central-1', registryId: SIMULATED_ACCOUNT_ID }],
          repositoryFilters: [{ filter: 'lorechat', filterType: 'PREFIX_MATCH' }],
        },
      ],
    });
    // The standby of Pulumi.prod.yaml: the region its stack pulls the replicated image in.
    expect(engineConfig('prod').values['lorechat:drRegion']).toBe('eu-central-1');
    expect(() =>
      parseBootstrapConfig({
        aws: { region: 'eu-west-1', allowedAccountIds: `["${SIMULATED_ACCOUNT_ID}"]` },
        values: {
          githubRepository: REPOSITORY,
          budgetEmail: 'billing@lorechat.test',
          accountMonthlyBudgetUsd: '100',
          imageReplicationRegions: '["eu-west-1"]',
        },
      }),
    ).toThrow("lorechat-bootstrap:imageReplicationRegions must not hold the registry's own region");
  });

  it('budgets everything the account spends, tagged or not, warning the budget address', () => {
    const budget = oneOf(run, 'aws:budgets/budget:Budget');
    expect(budget.inputs).toMatchObject({ budgetType: 'COST', limitAmount: '400.00' });
    expect(budget.inputs.filterExpression).toBeUndefined();
    expect(input<{ subscriberEmailAddresses: string[] }[]>(budget, 'notifications')).toEqual([
      expect.objectContaining({
        notificationType: 'ACTUAL',
        subscriberEmailAddresses: ['billing@lorechat.test'],
      }),
      expect.objectContaining({
        notificationType: 'FORECASTED',
        subscriberEmailAddresses: ['billing@lorechat.test'],
      }),
    ]);
  });

  it('tags what it creates and passes the policy pack', async () => {
    for (const resource of run.resources.filter(
      (candidate) => candidate.custom && declaresTags(candidate.type),
    )) {
      expect([resource.name, resource.inputs.tagsAll]).toEqual([
        resource.name,
        expect.objectContaining({ Project: 'lorechat', Environment: 'bootstrap' }),
      ]);
    }
    expect(await violationsOf(policyPack, run.resources.map(targetOf))).toEqual([]);
  });
});
