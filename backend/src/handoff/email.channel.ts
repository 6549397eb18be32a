import type * as Ses from '@aws-sdk/client-sesv2';
import { createTransport, type Transporter } from 'nodemailer';
import { type HandoffSettings } from '../config/app-config';
import { HandoffChannel } from './handoff-channel';
import { emailSubject, emailText } from './handoff-message';
import { type Handoff } from './handoff-record';

type EmailSettings = NonNullable<HandoffSettings['email']>;

/** An SMTP server that does not answer within these is counted as down. */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 };

/**
 * Sends the handoff by e-mail to HANDOFF_EMAIL_TO, with the visitor as Reply-To so the owner
 * answers them by replying. Through SMTP (HANDOFF_SMTP_URL), or through Amazon SES in AWS, where
 * the task's role allows `ses:SendRawEmail` and HANDOFF_EMAIL_FROM is a verified identity.
 */
export class EmailChannel extends HandoffChannel {
  readonly name = 'email';
  private readonly transporter: Transporter<unknown>;

  constructor(
    private readonly settings: EmailSettings,
    /** The SES client to use (tests point one at a local server); made from settings otherwise. */
    sesClient?: Ses.SESv2Client,
  ) {
    super();
    this.transporter =
      settings.transport === 'ses'
        ? createTransport(sesTransport(settings, sesClient))
        : createTransport({ url: settings.smtpUrl, ...SMTP_TIMEOUTS });
  }

  async deliver(handoff: Handoff): Promise<void> {
    try {
      await this.transporter.sendMail({
        from: this.settings.from,
        to: this.settings.to,
        replyTo: handoff.email,
        subject: emailSubject(handoff),
        text: emailText(handoff),
        headers: { 'X-LoreChat-Handoff': handoff.id },
      });
    } catch (error) {
      // Nodemailer's messages name the failure (ECONNREFUSED, a 5xx reply) but not the password.
      const { code, message } = error as Error & { code?: string };
      throw new Error(`the e-mail could not be sent: ${code ? `${code}: ` : ''}${message}`, {
        cause: error,
      });
    }
  }

  override close(): Promise<void> {
    this.transporter.close();
    return Promise.resolve();
  }
}

function sesTransport(settings: EmailSettings, client?: Ses.SESv2Client) {
  // Required only with SES: an AWS SDK client costs start-up time (see llm.module.ts).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ses = require('@aws-sdk/client-sesv2') as typeof Ses;
  return {
    SES: {
      sesClient: client ?? new ses.SESv2Client({ region: settings.region }),
      SendEmailCommand: ses.SendEmailCommand,
    },
  };
}
