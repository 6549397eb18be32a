import { roleNames } from '../bootstrap/github';
import { SIMULATED_ACCOUNT_ID } from '../simulation/mocks';
import { runBootstrap, type ProgramRun } from '../simulation/runProgram';
import { allOf, input, rolePolicy, type PolicyDocument } from './support/recorded';

/** The bootstrap program's other paths, in a run of their own (each test file runs it once). */
const trustOf = (run: ProgramRun, roleName: string) => {
  const role = allOf(run, 'aws:iam/role:Role').find(
    (candidate) => candidate.inputs.name === roleName,
  );
  if (!role) throw new Error(`no role named ${roleName}`);
  return JSON.parse(input<string>(role, 'assumeRolePolicy')) as PolicyDocument;
};

describe('infra/bootstrap in an account that already trusts GitHub and holds only prod', () => {
  let run: ProgramRun;

  beforeAll(async () => {
    run = await runBootstrap('account', {
      'aws:allowedAccountIds': [SIMULATED_ACCOUNT_ID],
      'lorechat-bootstrap:githubRepository': 'lorechat-org/lorechat',
      'lorechat-bootstrap:budgetEmail': 'billing@lorechat.test',
      'lorechat-bootstrap:createOidcProvider': false,
      'lorechat-bootstrap:environments': ['prod'],
      'lorechat-bootstrap:imageRepository': false,
      'lorechat-bootstrap:stateBucket': 'lorechat-pulumi-state',
    });
  });

  it("uses the account's OIDC provider and creates prod's roles only, with the state bucket", () => {
    expect(allOf(run, 'aws:iam/openIdConnectProvider:OpenIdConnectProvider')).toEqual([]);
    expect(allOf(run, 'aws:ecr/repository:Repository')).toEqual([]);
    expect(allOf(run, 'aws:iam/role:Role').map((role) => role.inputs.name)).toEqual([
      'lorechat-ci-prod-preview',
      'lorechat-ci-prod-deploy',
    ]);
    const [statement] = trustOf(run, roleNames.preview('prod')).Statement;
    expect(statement?.Principal).toEqual({
      Federated: `arn:aws:iam::${SIMULATED_ACCOUNT_ID}:oidc-provider/token.actions.githubusercontent.com`,
    });
    const lock = rolePolicy(run, 'lorechat-ci-prod-preview').Statement.find(
      (candidate) => candidate.Sid === 'LockState',
    );
    expect(lock?.Resource).toBe('arn:aws:s3:::lorechat-pulumi-state/.pulumi/locks/*');
  });
});
