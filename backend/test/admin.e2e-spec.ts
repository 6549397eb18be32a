/**
 * The admin API end to end: the real application (extractive answerer, fixture docs, the SQLite
 * conversation log in a fresh data folder), visitors chatting over a real socket.io-client, and
 * the API called over HTTP as a script or the console would.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import { AdminController } from '../src/admin/admin.controller';
import { AdminSessionController } from '../src/admin/admin-session.controller';
import { ADMIN_ROUTES } from '../src/admin/admin-api';
import { ADMIN_TOKEN_FILE } from '../src/admin/admin-token';
import { SIGN_IN_ATTEMPTS } from '../src/admin/sign-in-limiter';
import {
  type ConversationPage,
  type LoggedConversation,
} from '../src/analytics/conversation-log.store';
import { LogRetention } from '../src/analytics/log-retention';
import { ConversationLogStore } from '../src/analytics/conversation-log.store';
import { type GapGroup } from '../src/admin/gaps';
import { type StatsDay } from '../src/admin/stats';
import { admin, E2E_ADMIN_TOKEN, logged } from './support/admin';
import { ChatClient, type RunningApp, startApp, visitorToken } from './support/app';

type Conversations = { items: LoggedConversation[]; next?: string };

const ANSWERABLE = 'How do I deploy to production?';
const UNANSWERABLE = 'Do you sell zebra marmalade?';

async function conversationsOf(running: RunningApp, count: number): Promise<ConversationPage> {
  return logged(
    running.app,
    (store) => store.listConversations({ filter: {}, limit: 100 }),
    (page) => page.items.reduce((total, item) => total + item.turns.length, 0) >= count,
  );
}

describe('admin API', () => {
  let running: RunningApp;
  let client: ChatClient;

  beforeEach(async () => {
    // One proxy hop trusted, so a test can stand for visitors at several addresses.
    running = await startApp({ ADMIN_TOKEN: E2E_ADMIN_TOKEN, TRUST_PROXY_HOPS: '1' });
    client = await ChatClient.connect(running.url);
  });

  afterEach(async () => {
    client.close();
    await running.stop();
  });

  it('refuses every authenticated route without the admin token, with no data', async () => {
    const visitor = await visitorToken(running.url);
    const tokens = [undefined, 'wrong-token-wrong-token-wrong', visitor, `${E2E_ADMIN_TOKEN}x`];
    await client.askAndWait({ text: ANSWERABLE });
    await conversationsOf(running, 1);
    let address = 0;
    for (const route of ADMIN_ROUTES.filter((each) => each.authenticated)) {
      const path = `/v1/admin${route.path.replace('{id}', 'some-id')}`;
      for (const token of tokens) {
        // From a new address each time, so the limit on refused attempts is not what answers.
        address += 1;
        const response = await fetch(`${running.url}${path}`, {
          method: route.method.toUpperCase(),
          headers: {
            'x-forwarded-for': `203.0.113.${address}`,
            ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
          },
        });
        expect({ path, status: response.status }).toEqual({ path, status: 401 });
        const body = (await response.json()) as Record<string, unknown>;
        expect(Object.keys(body)).toEqual(['error']);
        expect(JSON.stringify(body)).not.toContain('deploy');
      }
    }
  });

  it('lists what visitors asked, with answers, sources, outcome, page and locale', async () => {
    const first = await client.askAndWait({
      text: ANSWERABLE,
      page: { url: 'https://shop.test/help?email=jane@example.com#top', title: 'Help' },
      locale: 'fr',
    });
    await client.askAndWait({ text: UNANSWERABLE, conversationId: first.accepted.conversationId });
    await conversationsOf(running, 2);
    const { status, body } = await admin(running.url).get<Conversations>('/conversations');
    expect(status).toBe(200);
    expect(body.items).toHaveLength(1);
    const [conversation] = body.items;
    expect(conversation?.conversationId).toBe(first.accepted.conversationId);
    const [answered, notFound] = conversation?.turns ?? [];
    expect(answered).toMatchObject({
      messageId: first.accepted.messageId,
      question: ANSWERABLE,
      answer: first.text,
      outcome: 'answered',
      provider: 'extractive',
      // The query and fragment (which carried an e-mail address here) are not kept.
      page: { url: 'https://shop.test/help', title: 'Help' },
      locale: 'fr',
      cached: false,
    });
    expect(answered?.sources.length).toBe(first.sources?.length);
    expect(answered?.sources.some((source) => source.cited)).toBe(true);
    expect(answered?.firstTokenMs).toBeGreaterThanOrEqual(0);
    expect(answered?.totalMs).toBeGreaterThanOrEqual(answered?.firstTokenMs ?? 0);
    expect(notFound).toMatchObject({ question: UNANSWERABLE, outcome: 'not_found' });
  });

  it('pages conversations newest first and filters them', async () => {
    // Asked in this order; each is a question a visitor would ask, answered or not by the docs.
    const asked = [ANSWERABLE, 'Where do I paste the script tag?', UNANSWERABLE];
    for (const text of asked) {
      const other = await ChatClient.connect(running.url);
      await other.askAndWait({ text });
      other.close();
    }
    await conversationsOf(running, 3);
    const api = admin(running.url);
    const first = await api.get<Conversations>('/conversations?limit=2');
    expect(first.body.items.map((item) => item.turns[0]?.question)).toEqual([
      UNANSWERABLE,
      'Where do I paste the script tag?',
    ]);
    const second = await api.get<Conversations>(
      `/conversations?limit=2&cursor=${first.body.next ?? ''}`,
    );
    expect(second.body.items.map((item) => item.turns[0]?.question)).toEqual([ANSWERABLE]);
    expect(second.body.next).toBeUndefined();
    const notFound = await api.get<Conversations>('/conversations?outcome=not_found');
    expect(notFound.body.items.map((item) => item.turns[0]?.question)).toEqual([UNANSWERABLE]);
    const text = await api.get<Conversations>('/conversations?q=SCRIPT%20TAG');
    expect(text.body.items).toHaveLength(1);
    const bad = await api.get('/conversations?limit=0&outcome=maybe');
    expect(bad.status).toBe(400);
    expect(bad.text).toMatch(/limit.*outcome|outcome.*limit/);
    expect((await api.get('/conversations?cursor=nonsense')).status).toBe(400);
  });

  it('masks e-mail addresses and phone numbers in what it stores', async () => {
    await client.askAndWait({ text: 'I am jane@example.com, call +44 20 7946 0958 about deploy' });
    const { items } = await conversationsOf(running, 1);
    expect(items[0]?.turns[0]?.question).toBe('I am [email], call [phone] about deploy');
  });

  it('lists gaps: unanswered or rated-down questions grouped, never answered-and-unrated ones', async () => {
    const answered = await client.askAndWait({ text: ANSWERABLE });
    const ratedDown = await client.askAndWait({ text: 'How do I tear down the stack?' });
    await client.socket.timeout(5000).emitWithAck('feedback', {
      messageId: ratedDown.accepted.messageId,
      rating: 'down',
      comment: 'Too short',
    });
    for (const text of [
      'Do you ship zebra marmalade to Canada?',
      'Can zebra marmalade be shipped to Canada?',
      'What is the refund policy?',
    ]) {
      await client.askAndWait({ text });
    }
    await logged(
      running.app,
      (store) => store.gapCandidates(0, 100),
      (gaps) => gaps.length >= 4,
    );
    const { body } = await admin(running.url).get<{ items: GapGroup[] }>('/gaps');
    const questions = body.items.flatMap((group) =>
      group.examples.map((example) => example.question),
    );
    expect(questions).not.toContain(answered.accepted && ANSWERABLE);
    const [marmalade] = body.items;
    expect(marmalade).toMatchObject({ count: 2, notFound: 2, ratedDown: 0 });
    expect(marmalade?.examples.map((example) => example.question).sort()).toEqual([
      'Can zebra marmalade be shipped to Canada?',
      'Do you ship zebra marmalade to Canada?',
    ]);
    const tearDown = body.items.find((group) => group.question === 'How do I tear down the stack?');
    expect(tearDown).toMatchObject({ count: 1, ratedDown: 1 });
    expect(tearDown?.examples[0]?.comment).toBe('Too short');
    expect(tearDown?.closestPage?.url).toBe('http://lorechat.test/docs/deployment.md');
    expect(body.items).toHaveLength(3);
  });

  it('counts questions, outcomes, ratings and tokens per day', async () => {
    const first = await client.askAndWait({ text: ANSWERABLE });
    await client.askAndWait({ text: UNANSWERABLE });
    await client.socket
      .timeout(5000)
      .emitWithAck('feedback', { messageId: first.accepted.messageId, rating: 'up' });
    await conversationsOf(running, 2);
    await logged(
      running.app,
      (store) => store.dailyCounts(0),
      (days) => days[0]?.ratedUp === 1,
    );
    const { body } = await admin(running.url).get<{ days: StatsDay[]; totals: StatsDay }>(
      '/stats?days=7',
    );
    expect(body.days).toHaveLength(7);
    expect(body.days.at(-1)?.day).toBe(new Date().toISOString().slice(0, 10));
    expect(body.totals).toMatchObject({
      questions: 2,
      answered: 1,
      notFound: 1,
      ratedUp: 1,
      ratedDown: 0,
    });
    expect(body.totals.inputTokens).toBeGreaterThan(0);
    expect(body.totals.tokens).toBe(body.totals.inputTokens + body.totals.outputTokens);
    expect(body.totals.costUsd).toBe(0);
    expect(body.days.at(-1)?.firstTokenP95Ms).toEqual(expect.any(Number));
    expect(body.days[0]).toMatchObject({ questions: 0, firstTokenP95Ms: null });
  });

  it('lists the pages cited most and those never cited', async () => {
    await client.askAndWait({ text: ANSWERABLE });
    await conversationsOf(running, 1);
    const { body } = await admin(running.url).get<{
      indexedPages: number;
      mostCited: { url: string; citations: number }[];
      neverCited: { url: string }[];
    }>('/pages');
    expect(body.indexedPages).toBe(2);
    expect(body.mostCited).toEqual([
      expect.objectContaining({ url: 'http://lorechat.test/docs/deployment.md', citations: 1 }),
    ]);
    expect(body.neverCited.map((page) => page.url)).toEqual([
      'http://lorechat.test/docs/widget.md',
    ]);
  });

  it('exports answers as CSV and JSON downloads', async () => {
    await client.askAndWait({ text: '=HYPERLINK("http://evil.test") deploy' });
    await conversationsOf(running, 1);
    const csv = await admin(running.url).get('/export?format=csv&days=1');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(csv.headers.get('content-disposition')).toMatch(
      /^attachment; filename="lorechat-conversations-\d{4}-\d{2}-\d{2}\.csv"$/,
    );
    const [header, row] = csv.text.trim().split('\n');
    expect(header).toMatch(/^asked_at,conversation_id,message_id,/);
    // A spreadsheet must not run a visitor's question as a formula.
    expect(row).toContain(`"'=HYPERLINK(""http://evil.test"") deploy"`);
    const json = await admin(running.url).get<unknown[]>('/export?format=json');
    expect(json.headers.get('content-disposition')).toMatch(/\.json"$/);
    // JSON keeps the question as asked: only the CSV guards spreadsheets.
    expect(json.body).toEqual([
      expect.objectContaining({ question: '=HYPERLINK("http://evil.test") deploy' }),
    ]);
  });

  it('deletes one conversation, or everything of one visitor', async () => {
    const first = await client.askAndWait({ text: ANSWERABLE });
    const other = await ChatClient.connect(running.url);
    await other.askAndWait({ text: 'widget' });
    other.close();
    const { items } = await conversationsOf(running, 2);
    const api = admin(running.url);
    const deleted = await api.delete<{ deletedAnswers: number }>(
      `/conversations/${first.accepted.conversationId}`,
    );
    expect(deleted.body).toEqual({ deletedAnswers: 1 });
    expect((await api.get(`/conversations/${first.accepted.conversationId}`)).status).toBe(404);
    const visitorId = items.find((item) => item.turns[0]?.question === 'widget')?.visitorId;
    expect((await api.delete<{ deletedAnswers: number }>(`/visitors/${visitorId}`)).body).toEqual({
      deletedAnswers: 1,
      // The visitor asked for no person here; handoff.e2e-spec.ts deletes one.
      deletedHandoffs: 0,
    });
    expect((await api.get<Conversations>('/conversations')).body.items).toEqual([]);
  });

  it('purges what is older than ANALYTICS_RETENTION_DAYS', async () => {
    const store = running.app.get(ConversationLogStore);
    const old = Date.now() - 91 * 86_400_000;
    await store.writeAnswers([
      {
        messageId: 'old',
        conversationId: 'c-old',
        visitorId: 'v',
        siteKey: 'demo',
        askedAt: old,
        question: 'old?',
        answer: 'old',
        sources: [],
        outcome: 'not_found',
        provider: 'extractive',
        model: 'extractive',
        inputTokens: 1,
        outputTokens: 1,
        totalMs: 1,
        cached: false,
      },
    ]);
    expect(await running.app.get(LogRetention).purge()).toBe(1);
    expect(await store.conversation('c-old')).toBeUndefined();
  });

  it('signs the console in with an HttpOnly, SameSite=Strict session, and out', async () => {
    const signIn = (token: string) =>
      fetch(`${running.url}/v1/admin/session`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      });
    expect((await signIn('not-the-token-not-the-token')).status).toBe(401);
    const response = await signIn(E2E_ADMIN_TOKEN);
    expect(response.status).toBe(204);
    const cookie = response.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^lorechat_admin=[^;]+;/);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    expect(cookie).toMatch(/Max-Age=43200/);
    const session = cookie.split(';')[0] ?? '';
    const get = (headers: Record<string, string>) =>
      fetch(`${running.url}/v1/admin/stats`, { headers });
    expect((await get({ cookie: session, 'x-lorechat-console': '1' })).status).toBe(200);
    // Without the console's header (a cross-site request could not add it): refused.
    expect((await get({ cookie: session })).status).toBe(401);
    expect(
      (await get({ cookie: 'lorechat_admin=123.forged', 'x-lorechat-console': '1' })).status,
    ).toBe(401);
    const signOut = await fetch(`${running.url}/v1/admin/session`, { method: 'DELETE' });
    expect(signOut.headers.get('set-cookie')).toMatch(/lorechat_admin=;.*Expires=Thu, 01 Jan 1970/);
  });

  it(`rate limits refused attempts: after ${SIGN_IN_ATTEMPTS}, even the right token waits`, async () => {
    const api = admin(running.url, 'a-wrong-token-a-wrong-token');
    for (let attempt = 0; attempt < SIGN_IN_ATTEMPTS; attempt++) {
      expect((await api.get('/stats')).status).toBe(401);
    }
    const limited = await admin(running.url).get<{ error: { code: string } }>('/stats');
    expect(limited.status).toBe(429);
    expect(limited.body.error.code).toBe('rate_limited');
    expect(limited.headers.get('retry-after') ?? limited.headers.get('ratelimit')).toBeTruthy();
  });

  it('documents every admin route in /v1/admin/openapi.json, and nothing else', async () => {
    const response = await fetch(`${running.url}/v1/admin/openapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      openapi: string;
      paths: Record<string, Record<string, unknown>>;
    };
    expect(document.openapi).toBe('3.1.0');
    const documented = Object.entries(document.paths)
      .flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method} ${path}`))
      .sort();
    const implemented = [AdminController, AdminSessionController]
      .flatMap((controller) => {
        const prefix = Reflect.getMetadata(PATH_METADATA, controller) as string;
        const prototype = controller.prototype as unknown as Record<string, unknown>;
        return Object.getOwnPropertyNames(prototype).flatMap((name) => {
          const handler = prototype[name];
          if (typeof handler !== 'function') return [];
          const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
          const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
          if (path === undefined || method === undefined) return [];
          const openApiPath = `/${prefix}/${path}`.replace(/:(\w+)/g, '{$1}');
          return [`${RequestMethod[method].toLowerCase()} ${openApiPath}`];
        });
      })
      .sort();
    expect(documented).toEqual(implemented);
  });
});

describe('conversation log settings', () => {
  it('stores nothing with ANALYTICS_ENABLED=false', async () => {
    const running = await startApp({ ADMIN_TOKEN: E2E_ADMIN_TOKEN, ANALYTICS_ENABLED: 'false' });
    const client = await ChatClient.connect(running.url);
    try {
      const answer = await client.askAndWait({ text: ANSWERABLE });
      await client.socket
        .timeout(5000)
        .emitWithAck('feedback', { messageId: answer.accepted.messageId, rating: 'up' });
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect((await admin(running.url).get<Conversations>('/conversations')).body.items).toEqual(
        [],
      );
    } finally {
      client.close();
      await running.stop();
    }
  });

  it('keeps e-mail addresses and phone numbers with ANALYTICS_STORE_PII=true', async () => {
    const running = await startApp({ ADMIN_TOKEN: E2E_ADMIN_TOKEN, ANALYTICS_STORE_PII: 'true' });
    const client = await ChatClient.connect(running.url);
    try {
      await client.askAndWait({ text: 'I am jane@example.com, deploy?' });
      const { items } = await conversationsOf(running, 1);
      expect(items[0]?.turns[0]?.question).toBe('I am jane@example.com, deploy?');
    } finally {
      client.close();
      await running.stop();
    }
  });

  it('without ADMIN_TOKEN, makes one in the data folder (owner-only) that opens the API', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lorechat-admin-'));
    const running = await startApp({ LORECHAT_DATA_DIR: dataDir });
    try {
      const file = join(dataDir, ADMIN_TOKEN_FILE);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      const token = readFileSync(file, 'utf8').trim();
      expect(token.length).toBeGreaterThanOrEqual(32);
      expect((await admin(running.url, token).get('/stats')).status).toBe(200);
    } finally {
      await running.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('in production without ADMIN_TOKEN, keeps the admin API closed and writes no token', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lorechat-admin-'));
    const running = await startApp({ LORECHAT_DATA_DIR: dataDir, NODE_ENV: 'production' });
    try {
      expect(existsSync(join(dataDir, ADMIN_TOKEN_FILE))).toBe(false);
      const response = await admin(running.url, 'anything-anything-anything').get<{
        error: { message: string };
      }>('/stats');
      expect(response.status).toBe(401);
      expect(response.body.error.message).toMatch(/set ADMIN_TOKEN/);
    } finally {
      await running.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
