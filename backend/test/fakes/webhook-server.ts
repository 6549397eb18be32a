/**
 * A webhook receiver for the handoff tests: a real local HTTP server that records each JSON POST
 * and answers as scripted, like Slack's incoming webhooks (200 "ok") or one that is down (a 5xx, or
 * no answer at all).
 */
import { type IncomingMessage, type ServerResponse } from 'node:http';
import { FakeHttpServer, type FakeRequest, type FakeScript, readJson } from './fake-http-server';

/** An HTTP status to answer with, or `hang`: accept the request and never answer. */
export type WebhookBehaviour = { status: number } | 'hang';

export class FakeWebhook extends FakeHttpServer<FakeRequest<unknown>, WebhookBehaviour> {
  constructor(script?: FakeScript<FakeRequest<unknown>, WebhookBehaviour>) {
    super({ status: 200 }, script);
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const request = { path: req.url ?? '/', headers: req.headers, body: await readJson(req) };
    this.requests.push(request);
    const behaviour = this.nextBehaviour(request);
    if (behaviour === 'hang') return;
    res.writeHead(behaviour.status, { 'content-type': 'text/plain' });
    res.end(behaviour.status < 300 ? 'ok' : 'no_service');
  }
}

export async function startFakeWebhook(
  script?: FakeScript<FakeRequest<unknown>, WebhookBehaviour>,
): Promise<FakeWebhook> {
  return new FakeWebhook(script).listen();
}
