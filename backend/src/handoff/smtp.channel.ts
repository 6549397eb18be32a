import { createTransport, type Transporter } from 'nodemailer';
import { type EmailSettings, HandoffChannel } from './handoff-channel';
import { emailSubject, emailText } from './handoff-message';
import { type Handoff } from './handoff-record';

/** An SMTP server that does not answer within these is counted as down. */
const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 };

/**
 * Sends the handoff by e-mail through an SMTP server (HANDOFF_SMTP_URL) to HANDOFF_EMAIL_TO, with
 * the visitor as Reply-To so the owner answers them by replying.
 */
export class SmtpChannel extends HandoffChannel {
  readonly name = 'email';
  private readonly transporter: Transporter<unknown>;

  constructor(private readonly settings: EmailSettings) {
    super();
    this.transporter = createTransport({ url: settings.smtpUrl, ...SMTP_TIMEOUTS });
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
