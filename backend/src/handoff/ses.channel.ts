import {
  SendEmailCommand,
  SESv2Client,
  type SESv2ClientConfig,
  SESv2ServiceException,
} from '@aws-sdk/client-sesv2';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { type EmailSettings, HandoffChannel } from './handoff-channel';
import { emailSubject, emailText } from './handoff-message';
import { type Handoff } from './handoff-record';

/** SES that does not answer within this is counted as down; the outbox tries again later. */
const SES_TIMEOUT_MS = 10_000;

/**
 * Client settings the app leaves to the AWS default credential chain (the ECS task role in
 * production) and that tests set explicitly, with a local server as the endpoint.
 */
export type SesClientOverrides = Pick<
  SESv2ClientConfig,
  'credentials' | 'endpoint' | 'maxAttempts'
>;

/**
 * Sends the handoff by e-mail through Amazon SES (API v2 SendEmail) in AWS_REGION, from
 * HANDOFF_EMAIL_FROM, an identity verified in SES, with the visitor as Reply-To. In AWS the task's
 * role allows `ses:SendEmail` on that identity only.
 */
export class SesChannel extends HandoffChannel {
  readonly name = 'email';
  private readonly client: SESv2Client;

  constructor(
    private readonly settings: EmailSettings,
    overrides: SesClientOverrides = {},
  ) {
    super();
    this.client = new SESv2Client({
      region: settings.region,
      // The SDK retries a throttled or failed call twice within seconds; past that the outbox's
      // own backoff takes over, with the handoff kept in the store meanwhile.
      maxAttempts: 3,
      requestHandler: new NodeHttpHandler({
        connectionTimeout: SES_TIMEOUT_MS,
        requestTimeout: SES_TIMEOUT_MS,
        throwOnRequestTimeout: true,
      }),
      ...overrides,
    });
  }

  async deliver(handoff: Handoff): Promise<void> {
    try {
      await this.client.send(
        new SendEmailCommand({
          FromEmailAddress: this.settings.from,
          Destination: { ToAddresses: this.settings.to },
          ReplyToAddresses: [handoff.email],
          Content: {
            Simple: {
              Subject: { Data: emailSubject(handoff), Charset: 'UTF-8' },
              Body: { Text: { Data: emailText(handoff), Charset: 'UTF-8' } },
              Headers: [{ Name: 'X-LoreChat-Handoff', Value: handoff.id }],
            },
          },
        }),
      );
    } catch (error) {
      // SES names the failure (throttled, identity not verified) and never echoes the credentials.
      const reason =
        error instanceof SESv2ServiceException
          ? `${error.name} (HTTP ${error.$metadata.httpStatusCode ?? '?'}): ${error.message}`
          : `${(error as Error & { code?: string }).code ?? (error as Error).name}: ${(error as Error).message}`;
      throw new Error(`the e-mail could not be sent through SES: ${reason}`, { cause: error });
    }
  }

  override close(): Promise<void> {
    this.client.destroy();
    return Promise.resolve();
  }
}
