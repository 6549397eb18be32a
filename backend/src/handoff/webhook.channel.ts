import { HandoffChannel } from './handoff-channel';
import { webhookBody } from './handoff-message';
import { type Handoff } from './handoff-record';

/** A receiver that takes longer is counted as down; the handoff is tried again later. */
export const WEBHOOK_TIMEOUT_MS = 10_000;

/**
 * POSTs the handoff as JSON to HANDOFF_WEBHOOK_URL: Slack's incoming webhooks show its `text`,
 * any other receiver reads its `handoff` object. Any 2xx is delivered; anything else is retried.
 */
export class WebhookChannel extends HandoffChannel {
  readonly name = 'webhook';

  constructor(
    private readonly url: string,
    private readonly timeoutMs = WEBHOOK_TIMEOUT_MS,
  ) {
    super();
  }

  async deliver(handoff: Handoff): Promise<void> {
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'LoreChat-Handoff' },
        body: JSON.stringify(webhookBody(handoff)),
        signal: AbortSignal.timeout(this.timeoutMs),
        redirect: 'error',
      });
    } catch (error) {
      // fetch's own message says "fetch failed"; the cause says why (refused, timed out, DNS).
      const cause = (error as Error & { cause?: Error }).cause;
      const reason = (error as Error).name === 'TimeoutError' ? 'timed out' : (cause ?? error);
      throw new Error(`the webhook could not be reached: ${errorText(reason)}`, { cause: error });
    }
    // The body is read (and dropped) so the connection can be reused.
    await response.text().catch(() => undefined);
    if (!response.ok) throw new Error(`the webhook answered HTTP ${response.status}`);
  }
}

function errorText(reason: unknown): string {
  if (typeof reason === 'string') return reason;
  const error = reason as Error & { code?: string };
  return error.code ?? error.message;
}
