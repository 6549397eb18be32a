/**
 * The visitor defences of docs/security.md against the started application: visitor tokens and the
 * origin allow-list (HTTP and Socket.IO handshake), then quotas at their boundaries, answering
 * through the OpenAI provider pointed at the local fake so every answer's token count is known.
 */
import { VisitorTokens } from '../src/security/visitor-tokens';
import { type VisitorTokenRefusal } from '@lorechat/contracts';
import { type FakeOpenAi, startFakeOpenAi } from './fakes/openai-server';
import { LogCapture } from './support/logs';
import {
  ChatClient,
  DEMO_ORIGIN,
  E2E_TOKEN_SECRET,
  openSocket,
  requestVisitorToken,
  type RunningApp,
  startApp,
  visitorToken,
} from './support/app';

describe('visitor tokens and the origin allow-list', () => {
  let running: RunningApp;
  const logs = new LogCapture();
  beforeAll(async () => {
    running = await startApp(
      {
        SITES: 'demo=http://localhost:*;shop=https://shop.example.com,https://*.shop.example',
        VISITOR_TOKEN_TTL_SECONDS: '120',
        LOG_LEVEL: 'warn',
      },
      { logDestination: logs },
    );
  });
  afterAll(async () => {
    await running.stop();
  });

  it('issues a short-lived token to an allowed origin, readable by that origin only', async () => {
    const response = await requestVisitorToken(
      running.url,
      { siteKey: 'shop' },
      'https://eu.shop.example',
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://eu.shop.example');
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as { token: string; expiresInSeconds: number };
    expect(body).toEqual({
      token: expect.stringMatching(/^[\w-]+\.[\w-]+$/),
      expiresInSeconds: 120,
      // No handoff channel is configured here.
      handoff: false,
    });
  });

  it('answers the CORS preflight so browsers on other origins may POST JSON', async () => {
    const response = await fetch(`${running.url}/v1/visitor-token`, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example.com', 'access-control-request-method': 'POST' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://shop.example.com');
    expect(response.headers.get('access-control-allow-headers')).toBe('Content-Type');
  });

  it.each([
    ['an unknown site key', { siteKey: 'nope' }, DEMO_ORIGIN, 'unknown_site_key'],
    [
      'an origin the site does not allow',
      { siteKey: 'shop' },
      'https://evil.example',
      'origin_not_allowed',
    ],
    [
      "another site's origin",
      { siteKey: 'demo' },
      'https://shop.example.com',
      'origin_not_allowed',
    ],
    [
      'a look-alike of an allowed origin',
      { siteKey: 'shop' },
      'https://shop.example.com.evil.example',
      'origin_not_allowed',
    ],
    ['no Origin at all', { siteKey: 'demo' }, null, 'no_origin'],
  ])(
    'refuses a token for %s with 403 unauthorized, the reason readable by the page, and logs which check refused',
    async (_case, body, origin, reason) => {
      const response = await requestVisitorToken(running.url, body, origin);
      expect(response.status).toBe(403);
      // CORS on the refusal: the widget on that page can read why, instead of seeing a network error.
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const refusal = (await response.json()) as VisitorTokenRefusal;
      expect(refusal).toEqual({
        error: { code: 'unauthorized', reason, message: expect.any(String) },
      });
      if (reason !== 'no_origin') {
        // The fix, naming what the request sent, for the widget to print on the console.
        expect(refusal.error.message).toContain('SITES');
        expect(refusal.error.message).toContain(body.siteKey);
      }
      const line = await logs.lineWhere(
        (entry) =>
          entry.reason === reason &&
          entry.siteKey === body.siteKey &&
          entry.origin === (origin ?? undefined),
      );
      expect(line).toMatchObject({ level: 'WARN', context: 'VisitorToken' });
      expect(line.msg).toMatch(/^visitor token refused: /);
    },
  );

  it('logs a refused site and origin once a minute, not once per visitor', async () => {
    for (let visit = 0; visit < 3; visit++) {
      await requestVisitorToken(running.url, { siteKey: 'repeated' }, DEMO_ORIGIN);
    }
    await logs.lineWhere((entry) => entry.siteKey === 'repeated');
    expect(logs.lines().filter((entry) => entry.siteKey === 'repeated')).toHaveLength(1);
  });

  it("never lists the server's other site keys or origins in a refusal", async () => {
    const response = await requestVisitorToken(running.url, { siteKey: 'shop' }, DEMO_ORIGIN);
    const text = await response.text();
    expect(text).not.toContain('shop.example');
    expect(text).not.toContain('localhost:*');
  });

  it('refuses a malformed request with 400 bad_request', async () => {
    const response = await requestVisitorToken(running.url, { site: 'demo' });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { code: 'bad_request' } });
  });

  it('lets a socket in with its token from the origin it was issued to', async () => {
    const client = await ChatClient.connect(running.url);
    const answer = await client.askAndWait({ text: 'How do I deploy to production?' });
    client.close();
    expect(answer.done).toBeDefined();
  });

  const refusedHandshakes: [string, () => Promise<{ token: string | null; origin?: string }>][] = [
    ['no token', () => Promise.resolve({ token: null })],
    ['a garbage token', () => Promise.resolve({ token: 'not-a-token' })],
    [
      'an expired token',
      () => {
        const anHourAgo = () => Date.now() - 3_600_000;
        const tokens = new VisitorTokens(E2E_TOKEN_SECRET, 120, anHourAgo);
        return Promise.resolve({ token: tokens.issue('demo', DEMO_ORIGIN).token });
      },
    ],
    [
      'a token signed with another secret',
      () => {
        const forger = new VisitorTokens('an-attacker-guess-at-the-secret-0123456789', 120);
        return Promise.resolve({ token: forger.issue('demo', DEMO_ORIGIN).token });
      },
    ],
    [
      'a genuine token with its claims edited',
      async () => {
        const [payload, mac] = (await visitorToken(running.url)).split('.');
        const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as object;
        const edited = Buffer.from(JSON.stringify({ ...claims, siteKey: 'shop' })).toString(
          'base64url',
        );
        return { token: `${edited}.${mac}` };
      },
    ],
    [
      'a genuine token replayed from another origin',
      async () => ({ token: await visitorToken(running.url), origin: 'https://evil.example' }),
    ],
  ];
  it.each(refusedHandshakes)(
    'refuses a handshake with %s: unauthorized, socket closed',
    async (_case, make) => {
      const { token, origin } = await make();
      const { socket, refusal } = await openSocket(running.url, { token, origin });
      expect(refusal?.data).toEqual({ code: 'unauthorized', message: expect.any(String) });
      expect(socket.connected).toBe(false);
      expect(socket.active).toBe(false);
      socket.close();
    },
  );
});

/** Fixed one-minute windows: start a boundary test only when it cannot straddle two of them. */
async function awayFromMinuteBoundary(): Promise<void> {
  const leftMs = 60_000 - (Date.now() % 60_000);
  if (leftMs < 8000) await new Promise((resolve) => setTimeout(resolve, leftMs + 50));
}

/** Questions per minute. Daily token budgets have their own suite: token-budgets.e2e-spec.ts. */
describe('quotas', () => {
  let openAi: FakeOpenAi;
  beforeAll(async () => {
    openAi = await startFakeOpenAi({ kind: 'stream', tokens: ['a ', 'b ', 'c'] });
  });
  afterAll(async () => {
    await openAi.close();
  });

  async function withApp(
    env: NodeJS.ProcessEnv,
    test: (url: string) => Promise<void>,
  ): Promise<void> {
    const running = await startApp({
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: openAi.baseUrl,
      LLM_MAX_RETRIES: '0',
      RESPONSE_CACHE_ENABLED: 'false',
      ...env,
    });
    try {
      await test(running.url);
    } finally {
      await running.stop();
    }
  }

  async function expectAnswered(client: ChatClient): Promise<void> {
    const answer = await client.askAndWait({ text: 'How do I deploy?' });
    expect(answer.done).toBeDefined();
  }

  async function expectRateLimited(client: ChatClient): Promise<void> {
    const response = await client.ask({ text: 'How do I deploy?' });
    expect(response).toEqual({
      ok: false,
      error: {
        code: 'rate_limited',
        message: expect.stringMatching(
          /^Too many questions in a minute\. Try again in \d+ seconds?\.$/,
        ),
        retryAfterSeconds: expect.any(Number),
      },
    });
    const { retryAfterSeconds = 0 } = response.ok ? {} : response.error;
    expect(retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(retryAfterSeconds).toBeLessThanOrEqual(60);
  }

  it('per visitor: the 3rd question in a minute passes, the 4th is rate_limited', async () => {
    await awayFromMinuteBoundary();
    await withApp({ QUOTA_QUESTIONS_PER_MINUTE: '3' }, async (url) => {
      const visitor = await ChatClient.connect(url);
      for (let question = 1; question <= 3; question++) await expectAnswered(visitor);
      await expectRateLimited(visitor);
      // Another visitor is not held back by the first one's questions.
      const other = await ChatClient.connect(url);
      await expectAnswered(other);
      visitor.close();
      other.close();
    });
  });

  it('per visitor, across reconnects: a renewed token keeps the visitor and their count', async () => {
    await awayFromMinuteBoundary();
    await withApp({ QUOTA_QUESTIONS_PER_MINUTE: '1' }, async (url) => {
      const first = await visitorToken(url);
      const client = await ChatClient.connect(url, { token: first });
      await expectAnswered(client);
      client.close();
      const renewal = await requestVisitorToken(url, { siteKey: 'demo', previousToken: first });
      const { token } = (await renewal.json()) as { token: string };
      const reconnected = await ChatClient.connect(url, { token });
      await expectRateLimited(reconnected);
      reconnected.close();
    });
  });

  it('per IP: new visitor tokens from one address share its question quota', async () => {
    await awayFromMinuteBoundary();
    await withApp({ QUOTA_IP_QUESTIONS_PER_MINUTE: '2' }, async (url) => {
      const clients = await Promise.all([1, 2, 3].map(() => ChatClient.connect(url)));
      await expectAnswered(clients[0]!);
      await expectAnswered(clients[1]!);
      await expectRateLimited(clients[2]!);
      for (const client of clients) client.close();
    });
  });

  it('per IP behind proxies: the address comes from X-Forwarded-For, only as far as trusted', async () => {
    await awayFromMinuteBoundary();
    await withApp({ QUOTA_IP_QUESTIONS_PER_MINUTE: '1', TRUST_PROXY_HOPS: '1' }, async (url) => {
      // One proxy (the ALB) appends the visitor's address; what the client put before it is ignored.
      const viaProxy = (forwardedFor: string) =>
        ChatClient.connect(url, { extraHeaders: { 'x-forwarded-for': forwardedFor } });
      const alice = await viaProxy('203.0.113.7');
      const bob = await viaProxy('198.51.100.9');
      const aliceSpoofing = await viaProxy('10.9.9.9, 203.0.113.7');
      await expectAnswered(alice);
      await expectAnswered(bob);
      await expectRateLimited(aliceSpoofing);
      for (const client of [alice, bob, aliceSpoofing]) client.close();
    });
  });
});
