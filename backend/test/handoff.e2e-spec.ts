/**
 * Talk to a person, end to end: the started application, a real socket.io-client, a real local HTTP
 * server as the webhook receiver (test/fakes/webhook-server.ts) and a real SMTP server
 * (test/support/smtp.ts, the `smtp-server` library). Each channel is also taken down to check that
 * the visitor's request waits in the store and is delivered once the channel is back.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { HandoffOutbox } from '../src/handoff/handoff-outbox';
import { HandoffStore } from '../src/handoff/handoff.store';
import { type WebhookBody } from '../src/handoff/handoff-message';
import { type FakeWebhook, startFakeWebhook } from './fakes/webhook-server';
import {
  ChatClient,
  DEMO_ORIGIN,
  type RunningApp,
  requestVisitorToken,
  startApp,
} from './support/app';
import { admin, E2E_ADMIN_TOKEN } from './support/admin';
import { TestSmtpServer } from './support/smtp';

const PAGE = { url: 'https://example.com/pricing', title: 'Pricing' };

/** Polls until `check` holds: deliveries run in the background after the ack. */
async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

function channelEnv(webhook: FakeWebhook, smtp: TestSmtpServer): NodeJS.ProcessEnv {
  return {
    HANDOFF_WEBHOOK_URL: `${webhook.url}/hooks/handoff`,
    HANDOFF_EMAIL_TO: 'owner@example.com, support@example.com',
    HANDOFF_EMAIL_FROM: 'LoreChat <bot@example.com>',
    HANDOFF_SMTP_URL: smtp.url,
  };
}

describe('handoff with no channel configured', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp();
  });
  afterAll(() => running.stop());

  it('is refused with a clear error, and the token response says it is not offered', async () => {
    const token = await requestVisitorToken(running.url, { siteKey: 'demo' }, DEMO_ORIGIN);
    expect(await token.json()).toMatchObject({ handoff: false });
    const client = await ChatClient.connect(running.url);
    try {
      const response = await client.handoff({ email: 'visitor@example.org', message: 'Hello' });
      expect(response).toEqual({
        ok: false,
        error: { code: 'bad_request', message: expect.stringMatching(/does not take requests/) },
      });
    } finally {
      client.close();
    }
  });
});

describe('handoff through a webhook and SMTP', () => {
  let webhook: FakeWebhook;
  let smtp: TestSmtpServer;
  let running: RunningApp;
  let client: ChatClient;

  beforeAll(async () => {
    webhook = await startFakeWebhook();
    smtp = await new TestSmtpServer().start();
    running = await startApp({ ...channelEnv(webhook, smtp), QUOTA_HANDOFFS_PER_HOUR: '2' });
  });
  afterAll(async () => {
    await running.stop();
    await smtp.stop();
    await webhook.close();
  });
  beforeEach(async () => {
    client = await ChatClient.connect(running.url);
  });
  afterEach(() => client.close());

  it('sends the message, the address, the page and the conversation to the owner on both channels', async () => {
    const token = await requestVisitorToken(running.url, { siteKey: 'demo' }, DEMO_ORIGIN);
    expect(await token.json()).toMatchObject({ handoff: true });

    const answer = await client.askAndWait({ text: 'zebra quantum marmalade' });
    const response = await client.handoff({
      conversationId: answer.accepted.conversationId,
      email: ' visitor@example.org ',
      message: 'Can someone call me about <!channel> pricing?',
      page: PAGE,
      locale: 'en',
    });
    expect(response).toEqual({ ok: true, handoffId: expect.any(String) });
    const handoffId = response.ok ? response.handoffId : '';

    await until(() => webhook.requests.length === 1, 'the webhook');
    const { path, headers, body } = webhook.requests[0] as {
      path: string;
      headers: Record<string, string>;
      body: WebhookBody;
    };
    expect(path).toBe('/hooks/handoff');
    expect(headers['content-type']).toBe('application/json');
    expect(body.handoff).toEqual({
      id: handoffId,
      siteKey: 'demo',
      email: 'visitor@example.org',
      message: 'Can someone call me about <!channel> pricing?',
      page: PAGE,
      locale: 'en',
      conversationId: answer.accepted.conversationId,
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      transcript: [{ question: 'zebra quantum marmalade', answer: answer.text }],
    });
    // Slack's view: the visitor cannot ping the channel through the message.
    expect(body.text).toContain('&lt;!channel&gt;');
    expect(body.text).not.toContain('<!channel>');
    expect(body.text).toContain('<mailto:visitor@example.org|visitor@example.org>');

    const [mail] = await smtp.waitForMessages(1);
    expect(smtp.recipients[0]).toEqual(['owner@example.com', 'support@example.com']);
    expect(mail?.replyTo?.text).toBe('visitor@example.org');
    expect(mail?.from?.value).toEqual([{ name: 'LoreChat', address: 'bot@example.com' }]);
    expect(mail?.subject).toBe('A visitor of demo asks to talk to a person');
    expect(mail?.text).toContain('Can someone call me about <!channel> pricing?');
    expect(mail?.text).toContain('Visitor: zebra quantum marmalade');
    expect(mail?.text).toContain('Page: Pricing <https://example.com/pricing>');
    expect(mail?.headers.get('x-lorechat-handoff')).toBe(handoffId);
  });

  it.each([
    ['no e-mail', { message: 'Hello' }, 'bad_request', /email/],
    [
      'an e-mail that is not one',
      { email: 'not-an-address', message: 'Hello' },
      'bad_request',
      /e-mail address/,
    ],
    ['an empty message', { email: 'visitor@example.org', message: '  ' }, 'bad_request', /empty/],
    [
      'a page that is not http(s)',
      { email: 'v@example.org', message: 'Hi', page: { url: 'javascript:alert(1)' } },
      'bad_request',
      /http/,
    ],
    [
      'a message over the limit',
      { email: 'v@example.org', message: 'x'.repeat(5000) },
      'too_large',
      /limit is/,
    ],
  ])('refuses %s with a clear error and sends nothing', async (_case, payload, code, message) => {
    const before = webhook.requests.length;
    const response = await client.handoff(payload);
    expect(response).toEqual({
      ok: false,
      error: { code, message: expect.stringMatching(message) },
    });
    await sleep(100);
    expect(webhook.requests.length).toBe(before);
  });

  it('limits requests per visitor like questions', async () => {
    // A fresh visitor: two allowed an hour here.
    const visitor = await ChatClient.connect(running.url);
    try {
      const payload = { email: 'visitor@example.org', message: 'Please call me.' };
      expect(await visitor.handoff(payload)).toMatchObject({ ok: true });
      expect(await visitor.handoff(payload)).toMatchObject({ ok: true });
      expect(await visitor.handoff(payload)).toEqual({
        ok: false,
        error: {
          code: 'rate_limited',
          message: expect.stringMatching(/several times this hour/),
          retryAfterSeconds: expect.any(Number),
        },
      });
    } finally {
      visitor.close();
    }
  });
});

describe('handoff while the channels are down', () => {
  it('keeps the request and delivers it on both channels once they are back, once each', async () => {
    // The webhook answers 503 at first; the mail server is not running.
    const webhook = await startFakeWebhook([{ status: 503 }, { status: 200 }]);
    const smtp = await new TestSmtpServer().start();
    await smtp.stop();
    const running = await startApp({ ...channelEnv(webhook, smtp), ADMIN_TOKEN: E2E_ADMIN_TOKEN });
    const client = await ChatClient.connect(running.url);
    try {
      const response = await client.handoff({
        email: 'visitor@example.org',
        message: 'Nobody is answering the phone.',
      });
      expect(response).toMatchObject({ ok: true });

      const store = running.app.get(HandoffStore);
      const outbox = running.app.get(HandoffOutbox);
      await until(() => webhook.requests.length === 1, 'the first webhook try');
      // Both tries failed and are recorded, with why, for the console.
      let deliveries: { channel: string; deliveredAt?: number; lastError?: string }[] = [];
      await until(() => {
        void store.list(10).then(({ items }) => (deliveries = items[0]?.deliveries ?? []));
        return deliveries.length === 2 && deliveries.every((delivery) => delivery.lastError);
      }, 'both failures to be recorded');
      expect(deliveries).toEqual([
        expect.objectContaining({
          channel: 'email',
          lastError: expect.stringMatching(/ECONNREFUSED/),
        }),
        expect.objectContaining({ channel: 'webhook', lastError: 'the webhook answered HTTP 503' }),
      ]);
      // No secret in a stored error: not the SMTP URL, not the webhook's path.
      expect(JSON.stringify(deliveries)).not.toContain('/hooks/handoff');

      await smtp.start();
      // The retry, as the outbox's poll makes it once its time has come.
      await outbox.deliverDue(Date.now() + 10 * 60_000);
      expect(webhook.requests).toHaveLength(2);
      const [mail] = await smtp.waitForMessages(1);
      expect(mail?.text).toContain('Nobody is answering the phone.');

      const [stored] = (await store.list(10)).items;
      expect(stored?.deliveries.map((delivery) => delivery.deliveredAt)).toEqual([
        expect.any(Number),
        expect.any(Number),
      ]);
      // Delivered: a later poll sends nothing again.
      await outbox.deliverDue(Date.now() + 24 * 3_600_000);
      expect(webhook.requests).toHaveLength(2);
      expect(smtp.messages).toHaveLength(1);

      // The owner's admin API lists it with each channel's story, and deletes it with the visitor.
      const api = admin(running.url);
      const listed = await api.get<{ items: { visitorId: string; message: string }[] }>(
        '/handoffs?limit=10',
      );
      expect(listed.status).toBe(200);
      expect(listed.body.items).toEqual([
        expect.objectContaining({
          message: 'Nobody is answering the phone.',
          email: 'visitor@example.org',
          deliveries: [
            expect.objectContaining({
              channel: 'email',
              attempts: 2,
              deliveredAt: expect.any(Number),
            }),
            expect.objectContaining({
              channel: 'webhook',
              attempts: 2,
              deliveredAt: expect.any(Number),
            }),
          ],
        }),
      ]);
      const visitorId = listed.body.items[0]?.visitorId ?? '';
      expect(await api.get('/handoffs?limit=0')).toMatchObject({ status: 400 });
      const deleted = await api.delete(`/visitors/${encodeURIComponent(visitorId)}`);
      expect(deleted.body).toEqual({ deletedAnswers: 0, deletedHandoffs: 1 });
      expect((await api.get<{ items: unknown[] }>('/handoffs')).body.items).toEqual([]);
    } finally {
      client.close();
      await running.stop();
      await smtp.stop();
      await webhook.close();
    }
  });
});
