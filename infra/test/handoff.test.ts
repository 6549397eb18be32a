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
