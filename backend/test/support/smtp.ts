/**
 * A real SMTP server for the handoff tests: the `smtp-server` library speaking SMTP on a loopback
 * port, each message parsed with `mailparser`. It can be stopped and started again on the same
 * port, to be a mail server that is down for a while.
 */
import { once } from 'node:events';
import { type AddressInfo } from 'node:net';
import { type ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export class TestSmtpServer {
  /** Every message accepted, parsed, oldest first. */
  readonly messages: ParsedMail[] = [];
  /** The envelope recipients of each message. */
  readonly recipients: string[][] = [];
  private server?: SMTPServer;
  private port = 0;
  private waiters: { count: number; resolve: () => void }[] = [];

  /** `smtp://127.0.0.1:<port>`, the same across a stop and a start. */
  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    const server = new SMTPServer({
      // Plain SMTP on loopback: no TLS to negotiate, no login.
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((mail) => {
            this.messages.push(mail);
            this.recipients.push(session.envelope.rcptTo.map((rcpt) => rcpt.address));
            callback();
            this.notify();
          })
          .catch((error: Error) => callback(error));
      },
    });
    server.listen(this.port, '127.0.0.1');
    await once(server.server, 'listening');
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Resolves once `count` messages have arrived; rejects after `timeoutMs`. */
  async waitForMessages(count: number, timeoutMs = 5000): Promise<ParsedMail[]> {
    if (this.messages.length < count) {
      let timer: NodeJS.Timeout | undefined;
      try {
        await new Promise<void>((resolve, reject) => {
          this.waiters.push({ count, resolve });
          timer = setTimeout(
            () => reject(new Error(`${this.messages.length} of ${count} e-mails arrived`)),
            timeoutMs,
          );
        });
      } finally {
        clearTimeout(timer);
      }
    }
    return this.messages;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private notify(): void {
    const reached = this.waiters.filter((waiter) => waiter.count <= this.messages.length);
    this.waiters = this.waiters.filter((waiter) => waiter.count > this.messages.length);
    for (const waiter of reached) waiter.resolve();
  }
}
