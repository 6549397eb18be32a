import { StackConfigError, parseStackConfig } from '../config';
import { type ProgramRun, runProgram } from '../simulation/runProgram';
import { SIMULATED_ACCOUNT_ID } from '../simulation/identity';
import { allOf, container, input, isSecret, oneOf, rolePolicy } from './support/recorded';

/**
 * Talk to a person in AWS, under the simulated engine: a stack with handoff settings hands the
 * server its e-mail settings, keeps the webhook URL a secret, and lets the task role send from
 * the configured sender only. Stacks without them get none of it (support/stack/handoff.ts).
 */
const environmentOf = (run: ProgramRun, family?: string) =>
  Object.fromEntries(container(run, family).environment.map(({ name, value }) => [name, value]));

describe('dev with handoff by e-mail through SES and a webhook', () => {
  let run: ProgramRun;

  beforeAll(async () => {
    run = await runProgram('dev', {
      'lorechat:handoffEmailTo': ['support@lorechat.test', 'owner@lorechat.test'],
      'lorechat:handoffEmailFrom': 'LoreChat <chat@Mail.LoreChat.test>',
      'lorechat:handoffWebhookUrl': { secure: 'v1:encrypted-slack-webhook' },
    });
  });

  it('gives the server its e-mail settings, through SES', () => {
    expect(environmentOf(run)).toMatchObject({
      HANDOFF_EMAIL_TRANSPORT: 'ses',
      HANDOFF_EMAIL_TO: 'support@lorechat.test,owner@lorechat.test',
      HANDOFF_EMAIL_FROM: 'LoreChat <chat@Mail.LoreChat.test>',
      AWS_REGION: 'eu-west-1',
    });
  });

  it('hands the webhook URL over as a secret only, encrypted in state', () => {
    const definition = container(run);
    expect(definition.secrets.map((secret) => secret.name)).toContain('HANDOFF_WEBHOOK_URL');
    expect(definition.environment.map((variable) => variable.name)).not.toContain(
      'HANDOFF_WEBHOOK_URL',
    );
    const version = allOf(run, 'aws:secretsmanager/secretVersion:SecretVersion').find((recorded) =>
      input<string>(recorded, 'secretString').includes('HANDOFF_WEBHOOK_URL'),
    );
    expect(version && isSecret(version.inputs.secretString)).toBe(true);
    expect(JSON.parse(input<string>(version ?? oneOf(run, 'none'), 'secretString'))).toMatchObject({
      HANDOFF_WEBHOOK_URL: expect.stringMatching(/^simulated-secret-lorechat:handoffWebhookUrl-/),
    });
  });

  it('lets the task role send e-mail from the configured sender only', () => {
    expect(rolePolicy(run, 'lorechat-dev-task-ses').Statement).toEqual([
      {
        Sid: 'SendHandoffEmail',
        Effect: 'Allow',
        Action: 'ses:SendEmail',
        Resource: [
          `arn:aws:ses:eu-west-1:${SIMULATED_ACCOUNT_ID}:identity/mail.lorechat.test`,
          `arn:aws:ses:eu-west-1:${SIMULATED_ACCOUNT_ID}:identity/chat@Mail.LoreChat.test`,
        ],
        Condition: { StringEquals: { 'ses:FromAddress': 'chat@Mail.LoreChat.test' } },
      },
    ]);
    // The ingest job crawls; it sends no handoffs, so its role may not send e-mail.
    expect(
      allOf(run, 'aws:iam/rolePolicy:RolePolicy').filter((policy) =>
        input<string>(policy, 'policy').includes('ses:'),
      ),
    ).toHaveLength(1);
  });
});

describe('handoff settings', () => {
  const IMAGE = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/lorechat@sha256:${'a'.repeat(64)}`;
  const problemsOf = (values: Record<string, string>): string[] => {
    try {
      parseStackConfig({
        stack: 'dev',
        aws: { region: 'eu-west-1', allowedAccountIds: '["123456789012"]' },
        values: { imageUri: IMAGE, ...values },
        secretsSet: new Set(),
      });
      return [];
    } catch (error) {
      if (error instanceof StackConfigError) return error.problems;
      throw error;
    }
  };

  it.each([
    [
      { handoffEmailTo: '["support@lorechat.test"]' },
      'lorechat:handoffEmailFrom is required when lorechat:handoffEmailTo is set: the sender, an identity verified in SES',
    ],
    [
      { handoffEmailFrom: 'chat@lorechat.test' },
      'lorechat:handoffEmailTo is required when lorechat:handoffEmailFrom is set: who receives the requests',
    ],
    [
      { handoffEmailTo: '["support"]', handoffEmailFrom: 'chat@lorechat.test' },
      'lorechat:handoffEmailTo must be a list of e-mail addresses such as "support@example.com" (got "["support"]")',
    ],
    [
      {
        handoffEmailTo: '["support@lorechat.test"]',
        handoffEmailFrom: 'LoreChat chat@lorechat.test',
      },
      'lorechat:handoffEmailFrom must be an address verified in SES, such as chat@example.com or "LoreChat <chat@example.com>" (got "LoreChat chat@lorechat.test")',
    ],
  ])('refuses %j with one clear line', (values, problem) => {
    expect(problemsOf(values)).toEqual([problem]);
  });

  it('accepts an address or a display name with the address', () => {
    for (const from of ['chat@lorechat.test', 'LoreChat Support <chat@lorechat.test>']) {
      expect(problemsOf({ handoffEmailTo: '["a@lorechat.test"]', handoffEmailFrom: from })).toEqual(
        [],
      );
    }
  });
});
