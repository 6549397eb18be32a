/**
 * The owner's console in Debian Chromium (playwright-core), served by the real backend with its
 * SQLite conversation log, seeded with a month of conversations; a visitor chats over a real
 * socket.io-client. Also takes the screenshots the README and docs show (docs/images/console-*).
 */
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axe from 'axe-core';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ConversationLogStore } from '../../backend/src/analytics/conversation-log.store';
import { E2E_ADMIN_TOKEN, logged } from '../../backend/test/support/admin';
import { ChatClient, type RunningApp, startApp } from '../../backend/test/support/app';
import { launchChromium } from '../../widget/test/support/browser';
import { type Seeded, seedConversations } from './seed';

/**
 * Screenshots go to docs/images only when asked (`npm run screenshots`): a test run must not
 * rewrite the repository's files.
 */
const SCREENSHOTS =
  process.env.LORECHAT_SCREENSHOTS === '1'
    ? join(__dirname, '..', '..', 'docs', 'images')
    : mkdtempSync(join(tmpdir(), 'lorechat-screenshots-'));
const DAYS = 30;
const DOCS = join(__dirname, '..', '..', 'docs');

type AxeViolation = { id: string; impact: string | null; nodes: unknown[] };

declare global {
  interface Window {
    axe: typeof axe;
  }
}

async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated rather than added as a <script>: the console's Content-Security-Policy (rightly)
  // refuses inline scripts.
  await page.evaluate(axe.source);
  const violations = await page.evaluate(async () => {
    const results = await window.axe.run(document);
    return results.violations.map(({ id, impact, nodes }) => ({
      id,
      impact: impact ?? null,
      nodes: nodes.map((node) => node.target),
    }));
  });
  return violations.filter((violation) => ['serious', 'critical'].includes(violation.impact ?? ''));
}

async function signIn(page: Page, url: string): Promise<void> {
  await page.goto(`${url}/admin`);
  await page.getByLabel('Admin token').fill(E2E_ADMIN_TOKEN);
  await page.getByLabel('Admin token').press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
}

async function statTile(page: Page, id: string): Promise<string> {
  return (await page.locator(`[data-stat="${id}"] dd`).textContent()) ?? '';
}

/** Waits until the charts are drawn (Chart.js draws on the next frame). */
async function chartsDrawn(page: Page): Promise<void> {
  await page.waitForFunction(() =>
    [...document.querySelectorAll('canvas')].every(
      (canvas) => canvas.width > 0 && canvas.height > 0,
    ),
  );
  await page.evaluate(
    () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))),
  );
}

describe('owner console', () => {
  let browser: Browser;
  let running: RunningApp;
  let seeded: Seeded;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    browser = await launchChromium();
    // This repository's docs as the site, so the pages and gaps views have a real site behind them.
    running = await startApp({ ADMIN_TOKEN: E2E_ADMIN_TOKEN, LORECHAT_DOCS_DIR: DOCS });
    seeded = seedConversations(DAYS);
    const store = running.app.get(ConversationLogStore);
    await store.writeAnswers(seeded.answers);
    await store.writeFeedback(seeded.feedback);
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterAll(async () => {
    await browser.close();
    await running.stop();
  });

  beforeEach(async () => {
    context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      acceptDownloads: true,
    });
    page = await context.newPage();
  });

  afterEach(async () => {
    await context.close();
  });

  it('refuses the API without a session and asks for the token, which a wrong one does not pass', async () => {
    await page.goto(`${running.url}/admin`);
    const status = await page.evaluate(
      async () =>
        (await fetch('/v1/admin/stats', { headers: { 'x-lorechat-console': '1' } })).status,
    );
    expect(status).toBe(401);
    const token = page.getByLabel('Admin token');
    await token.waitFor();
    expect(await token.getAttribute('type')).toBe('password');
    // The form takes the keyboard focus at once: type and press Enter.
    await page.keyboard.type('not-the-admin-token-at-all');
    await page.keyboard.press('Enter');
    await page.getByRole('alert').filter({ hasText: 'That is not the admin token.' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Overview' }).count()).toBe(0);
  });

  it('signs in, and the overview shows the seeded conversations in its numbers and charts', async () => {
    await signIn(page, running.url);
    const cookies = await context.cookies();
    expect(cookies).toEqual([
      expect.objectContaining({ name: 'lorechat_admin', httpOnly: true, sameSite: 'Strict' }),
    ]);
    await page.locator('[data-stat="questions"]').waitFor();
    expect(await statTile(page, 'questions')).toBe(String(seeded.totals.questions));
    expect(await statTile(page, 'answered')).toBe(String(seeded.totals.answered));
    expect(await statTile(page, 'not-found')).toBe(String(seeded.totals.notFound));
    expect(await statTile(page, 'rated-up')).toBe(String(seeded.totals.ratedUp));
    expect(await statTile(page, 'rated-down')).toBe(String(seeded.totals.ratedDown));
    expect(await page.locator('figure.chart').count()).toBe(5);
    // Each chart's numbers are also a table: today's row of "Questions a day".
    const today = new Date().toISOString().slice(5, 10);
    const lastDay = seeded.answers.filter(
      (entry) => new Date(entry.askedAt).toISOString().slice(5, 10) === today,
    ).length;
    const row = page.locator('figure.chart').first().locator('tbody tr').last();
    expect(await row.locator('th').textContent()).toBe(today);
    expect(await row.locator('td').textContent()).toBe(String(lastDay));
    await chartsDrawn(page);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-overview.png'), fullPage: true });
  });

  it('is usable with the keyboard and labelled, in the dark theme too', async () => {
    await page.emulateMedia({ colorScheme: 'dark' });
    await signIn(page, running.url);
    // Tab to "Conversations" in the navigation and open it with Enter: the view's heading takes focus.
    const link = page.getByRole('link', { name: 'Conversations' });
    for (
      let tab = 0;
      tab < 10 && !(await link.evaluate((element) => element === document.activeElement));
      tab++
    ) {
      await page.keyboard.press('Tab');
    }
    await page.keyboard.press('Enter');
    const heading = page.getByRole('heading', { level: 1, name: 'Conversations' });
    await heading.waitFor();
    expect(await heading.evaluate((element) => element === document.activeElement)).toBe(true);
    expect(await link.getAttribute('aria-current')).toBe('page');
    await page.locator('table.list tbody tr').first().waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(background).toBe('rgb(17, 20, 24)');
    await page.screenshot({ path: join(SCREENSHOTS, 'console-conversations-dark.png') });
  });

  it('shows a transcript with its cited sources', async () => {
    await signIn(page, running.url);
    await page.getByRole('link', { name: 'Conversations' }).click();
    await page.getByLabel('Outcome').selectOption('answered');
    await page.getByLabel('Rating').selectOption('down');
    await page.getByRole('button', { name: 'Apply' }).click();
    const rows = page.locator('table.list tbody tr');
    await page.waitForFunction(
      (expected) => document.querySelectorAll('table.list tbody tr').length === expected,
      seeded.totals.ratedDown,
    );
    await rows.first().getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: 'Conversation' }).waitFor();
    await page.getByRole('heading', { name: 'Cited sources' }).waitFor();
    expect(
      await page
        .getByRole('link', {
          name: 'Add the chat widget to your site › Add the widget to your site',
        })
        .getAttribute('href'),
    ).toBe('http://lorechat.test/docs/widget.md#add-the-widget-to-your-site');
    expect(await page.locator('.comment').textContent()).toContain('It did not say which region');
    await page.screenshot({ path: join(SCREENSHOTS, 'console-transcript.png') });
  });

  it('lists a new unanswered question in the content gaps, with the closest page', async () => {
    const visitor = await ChatClient.connect(running.url);
    await visitor.askAndWait({ text: 'Quokka adoption?' });
    visitor.close();
    await logged(
      running.app,
      (store) => store.gapCandidates(0, 1000),
      (gaps) => gaps.some((gap) => gap.question === 'Quokka adoption?'),
    );
    await signIn(page, running.url);
    await page.getByRole('link', { name: 'Content gaps', exact: true }).click();
    const group = page.locator('article.gap').filter({ hasText: 'Quokka adoption?' });
    await group.waitFor();
    expect(await group.locator('.meta').textContent()).toMatch(/^asked 1 time · 1 not found/);
    // The seeded "free trial" questions in other words are one group.
    const trial = page
      .locator('article.gap')
      .filter({ has: page.getByRole('heading', { name: /free trial/ }) });
    expect(await trial.count()).toBe(1);
    expect(await trial.locator('.closest').textContent()).toMatch(
      /Closest page|No page comes close/,
    );
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: join(SCREENSHOTS, 'console-gaps.png'), fullPage: true });
  });

  it('downloads the export as a CSV file', async () => {
    await signIn(page, running.url);
    await page.getByRole('link', { name: 'Conversations' }).click();
    await page.locator('table.list tbody tr').first().waitFor();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^lorechat-conversations-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync(await download.path(), 'utf8');
    const lines = csv.trim().split('\n');
    expect(lines[0]).toMatch(/^asked_at,conversation_id,message_id,/);
    expect(lines.length - 1).toBeGreaterThanOrEqual(seeded.totals.questions);
    expect(csv).toContain('Do you offer a free trial?');
  });

  it('shows the pages cited most and never, and the crawl status', async () => {
    await signIn(page, running.url);
    await page.getByRole('link', { name: 'Pages', exact: true }).click();
    await page.getByRole('heading', { name: /Never cited/ }).waitFor();
    const cited = await page.locator('table.list tbody tr').allTextContents();
    expect(cited).toEqual([
      expect.stringMatching(/^Deploy LoreChat to AWS\d/),
      expect.stringMatching(/^Add the chat widget to your site\d/),
    ]);
    const never = await page.locator('.never-cited li').allTextContents();
    expect(never).toContain('Configuration');
    expect(never).not.toContain('Deploy LoreChat to AWS');
    await page.getByRole('link', { name: 'Crawl', exact: true }).click();
    await page.locator('[data-next-run]').waitFor();
    expect(await page.locator('[data-next-run]').textContent()).toMatch(/No crawl schedule is set/);
  });

  it('serves the console compressed, under a policy that allows only its own script', async () => {
    const page = await fetch(`${running.url}/admin`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
    expect(page.headers.get('content-security-policy')).toMatch(/frame-ancestors 'none'/);
    const script = await fetch(`${running.url}/admin/console.js`, {
      headers: { 'accept-encoding': 'br' },
    });
    expect(script.headers.get('content-encoding')).toBe('br');
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await script.text()).length).toBeGreaterThan(10_000);
    expect((await fetch(`${running.url}/admin/secrets.txt`)).status).toBe(404);
  });

  it('signs out, after which the API refuses the old page', async () => {
    await signIn(page, running.url);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByLabel('Admin token').waitFor();
    const status = await page.evaluate(
      async () =>
        (await fetch('/v1/admin/stats', { headers: { 'x-lorechat-console': '1' } })).status,
    );
    expect(status).toBe(401);
  });
});
