/**
 * The SES e-mail channel against a local server that speaks Amazon SES API v2's real wire
 * protocol (test/fakes/ses-server.ts: POST /v2/email/outbound-emails, JSON, SigV4 checked with
 * the test's secret key) — not against AWS, which this machine cannot reach.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FakeSesServer,
  SES_THROTTLED,
  SES_UNAVAILABLE,
  type SesBehaviour,
} from '../../test/fakes/ses-server';
import { ConfigError, loadConfig } from '../config/app-config';
import { DEFAULT_LLM_PRICES } from '../config/model-prices';
import { Metrics } from '../metrics/metrics';
import { type EmailSettings } from './handoff-channel';
import { HandoffOutbox } from './handoff-outbox';
import { type Handoff } from './handoff-record';
import { createHandoffChannels } from './handoff.module';
import { SesChannel } from './ses.channel';
import { SmtpChannel } from './smtp.channel';
import { SqliteHandoffStore } from './sqlite.handoff.store';

// Static test credentials passed through the client config, so the default chain (env, profile
// files, instance metadata) is never consulted and the environment stays untouched.
const credentials = {
  accessKeyId: 'AKIALORECHATSES00001',
  secretAccessKey: 'lorechat-ses-test-secret-never-logged',
};
const REGION = 'eu-west-1';

const settings: EmailSettings = {
  to: ['owner@example.com', 'support@example.com'],
  from: 'LoreChat <chat@example.com>',
  transport: 'ses',
  region: REGION,
};

const handoff: Handoff = {
  id: 'h-ses-1',
  siteKey: 'docs',
  visitorId: 'v-1',
  email: 'visitor@example.org',
  message: 'Can someone call me about the invoice?',
  page: { url: 'https://example.com/pricing', title: 'Pricing' },
  transcript: [{ question: 'How do I get an invoice?', answer: 'I could not find that.' }],
  createdAt: Date.UTC(2026, 11, 6, 5, 0),
};

let ses: FakeSesServer;
const channels: SesChannel[] = [];
const channelFor = (secret = credentials.secretAccessKey) => {
  const channel = new SesChannel(settings, {
    endpoint: ses.url,
    credentials: { ...credentials, secretAccessKey: secret },
  });
  channels.push(channel);
  return channel;
};

beforeEach(async () => {
  ses = await new FakeSesServer(credentials, REGION).listen();
});
afterEach(async () => {
  await Promise.all(channels.splice(0).map((channel) => channel.close()));
  await ses.close();
});

describe('handoff e-mail through Amazon SES', () => {
  it('sends one signed SendEmail with the owner, the sender, the visitor as Reply-To and the transcript', async () => {
    await channelFor().deliver(handoff);

    expect(ses.requests).toHaveLength(1);
    const [request] = ses.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/v2/email/outbound-emails' });
    expect(request?.signatureProblem).toBeUndefined();
    expect(request?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIALORECHATSES00001\/\d{8}\/eu-west-1\/ses\/aws4_request, /,
    );
    const [mail] = ses.accepted;
    expect(mail).toMatchObject({
      FromEmailAddress: 'LoreChat <chat@example.com>',
      Destination: { ToAddresses: ['owner@example.com', 'support@example.com'] },
      ReplyToAddresses: ['visitor@example.org'],
    });
    expect(mail?.Content?.Simple?.Subject?.Data).toBe('A visitor of docs asks to talk to a person');
    const text = mail?.Content?.Simple?.Body?.Text?.Data ?? '';
    expect(text).toContain('Can someone call me about the invoice?');
    expect(text).toContain('Visitor: How do I get an invoice?');
    expect(text).toContain('Page: Pricing <https://example.com/pricing>');
    expect(mail?.Content?.Simple?.Headers).toEqual([
      { Name: 'X-LoreChat-Handoff', Value: 'h-ses-1' },
    ]);
    // The secret key signs the request; it never travels in it.
    expect(JSON.stringify(request)).not.toContain(credentials.secretAccessKey);
  });

  it('is refused by a server that checks the signature when the key is wrong, and says why without the key', async () => {
    const wrongSecret = 'not-the-secret-the-server-knows';
    const error = await channelFor(wrongSecret)
      .deliver(handoff)
      .then(
        () => undefined,
        (reason: unknown) => reason as Error,
      );
    expect(error?.message).toMatch(/could not be sent through SES: .*403/);
    expect(error?.message).not.toContain(wrongSecret);
    expect(ses.accepted).toHaveLength(0);
  });

  it('rides out a throttled call within one delivery: the SDK tries again and SES takes it once', async () => {
    ses.setScript([SES_THROTTLED, { kind: 'ok' }]);
    await channelFor().deliver(handoff);
    expect(ses.requests).toHaveLength(2);
    expect(ses.accepted).toHaveLength(1);
  });

  it('keeps the handoff in the outbox while SES fails, and delivers it once when SES is back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lorechat-ses-'));
    const store = new SqliteHandoffStore(join(dir, 'handoffs.sqlite'));
    const metrics = new Metrics(
      {
        enabled: false,
        namespace: 'LoreChat',
        environment: 'test',
        provider: 'extractive',
        model: 'extractive',
        prices: DEFAULT_LLM_PRICES,
      },
      () => undefined,
    );
    const outbox = new HandoffOutbox(store, [channelFor()], metrics, {
      pollMs: 60_000,
      leaseMs: 60_000,
      retryBaseMs: 30_000,
      retryMaxMs: 3_600_000,
      batch: 20,
      retentionMs: 86_400_000,
    });
    try {
      await store.init();
      ses.setScript(SES_UNAVAILABLE);
      await store.add(handoff, ['email']);
      const now = Date.now();
      await outbox.deliverDue(now);
      // Every attempt the SDK makes in one delivery failed; nothing accepted, the handoff kept.
      expect(ses.requests.length).toBeGreaterThanOrEqual(2);
      expect(ses.accepted).toHaveLength(0);
      const [waiting] = (await store.list(10)).items;
      expect(waiting?.deliveries).toEqual([
        expect.objectContaining({
          channel: 'email',
          attempts: 1,
          lastError: expect.stringMatching(/SES: ServiceUnavailable \(HTTP 503\)/) as string,
        }),
      ]);
      expect(waiting?.deliveries[0]?.deliveredAt).toBeUndefined();
      expect(JSON.stringify(waiting)).not.toContain(credentials.secretAccessKey);

      // Not due yet: the outbox's backoff (30 s after a first failure) is respected.
      const triedSoFar = ses.requests.length;
      await outbox.deliverDue(now + 1_000);
      expect(ses.requests).toHaveLength(triedSoFar);

      ses.setScript({ kind: 'ok' } satisfies SesBehaviour);
      await outbox.deliverDue(now + 60_000);
      expect(ses.accepted).toHaveLength(1);
      expect(ses.accepted[0]?.Content?.Simple?.Body?.Text?.Data).toContain(handoff.message);
      const [delivered] = (await store.list(10)).items;
      expect(delivered?.deliveries[0]).toMatchObject({ attempts: 2, deliveredAt: now + 60_000 });

      // Delivered: later polls send nothing again.
      await outbox.deliverDue(now + 86_400_000);
      expect(ses.accepted).toHaveLength(1);
    } finally {
      await outbox.onModuleDestroy();
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('HANDOFF_EMAIL_TRANSPORT', () => {
  const email = { HANDOFF_EMAIL_TO: 'owner@example.com', HANDOFF_EMAIL_FROM: 'chat@example.com' };

  it('picks the SES channel with ses and AWS_REGION, the SMTP one with smtp', async () => {
    const viaSes = createHandoffChannels(
      loadConfig({ ...email, HANDOFF_EMAIL_TRANSPORT: 'ses', AWS_REGION: REGION }),
    );
    const viaSmtp = createHandoffChannels(
      loadConfig({ ...email, HANDOFF_SMTP_URL: 'smtp://127.0.0.1:2525' }),
    );
    try {
      expect(viaSes).toEqual([expect.any(SesChannel)]);
      expect(viaSmtp).toEqual([expect.any(SmtpChannel)]);
    } finally {
      await Promise.all([...viaSes, ...viaSmtp].map((channel) => channel.close()));
    }
  });

  it.each([
    [
      { ...email, HANDOFF_EMAIL_TRANSPORT: 'ses' },
      'AWS_REGION is required when HANDOFF_EMAIL_TRANSPORT=ses',
    ],
    [
      { HANDOFF_EMAIL_TO: 'owner@example.com', HANDOFF_EMAIL_TRANSPORT: 'ses', AWS_REGION: REGION },
      'HANDOFF_EMAIL_FROM is required when HANDOFF_EMAIL_TO is set',
    ],
    [{ ...email, HANDOFF_EMAIL_TRANSPORT: 'sendmail' }, 'HANDOFF_EMAIL_TRANSPORT'],
  ])('refuses an incomplete SES set-up with a clear line (%j)', (env, line) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(line);
  });
});
