import * as pulumi from '@pulumi/pulumi';
import { type PolicyStatement } from '../iam';
import { type StackConfig } from '../config';

/**
 * Talk to a person in AWS: what the stack's handoff settings give the server. E-mail goes through
 * Amazon SES (the tasks have no SMTP server to reach), sent by the task role, which may send from
 * the configured sender only; the webhook's URL is a credential (a Slack incoming webhook posts
 * with nothing else), so it travels as a secret. Pure functions: the resources stay where the
 * stack builds its roles and secrets.
 */

/** The server's HANDOFF_EMAIL_* variables; none when the stack sends no e-mail. */
export function handoffEnvironment(
  handoff: StackConfig['handoff'],
): Record<string, pulumi.Input<string>> {
  if (!handoff.email) return {};
  return {
    HANDOFF_EMAIL_TRANSPORT: 'ses',
    HANDOFF_EMAIL_TO: handoff.email.to.join(','),
    HANDOFF_EMAIL_FROM: handoff.email.from,
  };
}

/** The webhook URL as a value of the server's secret; none when it is not set. */
export function handoffSecretValues(secrets: {
  handoffWebhookUrl?: pulumi.Input<string>;
}): Record<string, pulumi.Input<string>> {
  return secrets.handoffWebhookUrl ? { HANDOFF_WEBHOOK_URL: secrets.handoffWebhookUrl } : {};
}

/** `chat@example.com` from `LoreChat <chat@example.com>` or `chat@example.com`. */
export function senderAddress(from: string): string {
  return (/<([^<>]+)>\s*$/.exec(from)?.[1] ?? from).trim();
}

/**
 * The SES identities the sender may be verified as: its address, or its whole domain. SES checks
 * the send against whichever is verified, so the role allows both and nothing else.
 */
export function senderIdentityArns(
  from: string,
  region: string,
  accountId: pulumi.Input<string>,
): pulumi.Output<string>[] {
  const address = senderAddress(from);
  const domain = (address.split('@')[1] ?? address).toLowerCase();
  return [domain, address].map(
    (identity) => pulumi.interpolate`arn:aws:ses:${region}:${accountId}:identity/${identity}`,
  );
}

/** SendEmail from the configured sender only, so a compromised task cannot mail as anyone else. */
export function sesSendStatements(
  identityArns: pulumi.Input<string>[],
  from: string,
): PolicyStatement[] {
  return [
    {
      Sid: 'SendHandoffEmail',
      Effect: 'Allow',
      Action: 'ses:SendEmail',
      Resource: identityArns,
      Condition: { StringEquals: { 'ses:FromAddress': senderAddress(from) } },
    },
  ];
}
