import {
  noCredentialsInContainerEnvironment,
  noWildcardActionOnWildcardResource,
} from '../../policy/iam';
import { check, resource } from '../support/policyCheck';

/** The policy pack's secrets and permissions rules, each against resources that break it and keep it. */
describe('no-credentials-in-environment', () => {
  const taskDefinition = (environment: { name: string; value: string }[]) =>
    resource('aws:ecs/taskDefinition:TaskDefinition', {
      containerDefinitions: JSON.stringify([
        { name: 'app', environment, secrets: [{ name: 'OPENAI_API_KEY', valueFrom: 'arn' }] },
      ]),
    });

  it('fails keys, tokens, passwords and URLs with a password in environment', async () => {
    expect(
      await check(
        noCredentialsInContainerEnvironment,
        taskDefinition([
          { name: 'OPENAI_API_KEY', value: 'sk-1' },
          { name: 'GITHUB_TOKEN', value: 'ghp' },
          { name: 'DB_PASSWORD', value: 'pw' },
          { name: 'REDIS_URL', value: 'rediss://:hunter2@cache:6379' },
        ]),
      ),
    ).toEqual([
      expect.stringContaining('sets OPENAI_API_KEY in environment'),
      expect.stringContaining('sets GITHUB_TOKEN in environment'),
      expect.stringContaining('sets DB_PASSWORD in environment'),
      expect.stringContaining('sets REDIS_URL to a URL with a password'),
    ]);
  });

  it('passes settings whose names only resemble credentials, and secrets in secrets', async () => {
    expect(
      await check(
        noCredentialsInContainerEnvironment,
        taskDefinition([
          { name: 'LLM_MAX_OUTPUT_TOKENS', value: '1024' },
          { name: 'QDRANT_URL', value: 'http://10.0.0.10:6333' },
          { name: 'PUBLIC_URL', value: 'https://chat.example.com' },
        ]),
      ),
    ).toEqual([]);
  });
});

describe('no-iam-star-on-star', () => {
  const rolePolicy = (statement: Record<string, unknown>) =>
    resource('aws:iam/rolePolicy:RolePolicy', {
      policy: JSON.stringify({ Version: '2012-10-17', Statement: [statement] }),
    });

  it('fails "*" on "*", in a role policy or a role’s inline policy', async () => {
    expect(
      await check(
        noWildcardActionOnWildcardResource,
        rolePolicy({ Effect: 'Allow', Action: '*', Resource: '*' }),
        resource('aws:iam/role:Role', {
          inlinePolicies: [
            {
              policy: JSON.stringify({
                Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', '*'], Resource: ['*'] }],
              }),
            },
          ],
        }),
      ),
    ).toEqual([expect.stringContaining('"*"'), expect.stringContaining('"*"')]);
  });

  it('passes scoped statements, one action on "*", and denies', async () => {
    expect(
      await check(
        noWildcardActionOnWildcardResource,
        rolePolicy({ Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' }),
        rolePolicy({ Effect: 'Allow', Action: '*', Resource: 'arn:aws:s3:::bucket/*' }),
        rolePolicy({ Effect: 'Deny', Action: '*', Resource: '*' }),
      ),
    ).toEqual([]);
  });
});
