/**
 * The demo page at `/` under the security headers the server sends with it: the widget must load,
 * connect and answer with the Content-Security-Policy enforced, and the page must refuse to be
 * framed. Debian Chromium, the minified bundle, the real backend with its offline answerer.
 */
import { type Browser, type BrowserContext } from 'playwright-core';
import { type RunningApp, startApp } from '../../backend/test/support/app';
import { answerSettled, ask, launchChromium, watchPageErrors, widget } from './support/browser';

describe('the demo page under its Content-Security-Policy', () => {
  let running: RunningApp;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    [running, browser] = await Promise.all([startApp(), launchChromium()]);
  });
  afterAll(async () => {
    await browser.close();
    await running.stop();
  });
  beforeEach(async () => {
    context = await browser.newContext();
    // Every violation of the policy, as the page itself sees it.
    await context.addInitScript(() => {
      const seen: string[] = [];
      (window as unknown as { violations: string[] }).violations = seen;
      document.addEventListener('securitypolicyviolation', (event) =>
        seen.push(`${event.effectiveDirective} ${event.blockedURI}`),
      );
    });
  });
  afterEach(async () => {
    await context.close();
  });

  it('runs the widget, connects and answers, with nothing blocked', async () => {
    const page = await context.newPage();
    const errors = watchPageErrors(page);
    const response = await page.goto(`${running.url}/`);
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    await page.waitForFunction(() => window.LoreChat !== undefined);
    await ask(page, 'How do I deploy to production?');
    const turn = widget(page).turn(0);
    await answerSettled(turn);
    await expect(turn.locator('.body').textContent()).resolves.toMatch(/pulumi up/);
    const violations = await page.evaluate(
      () => (window as unknown as { violations: string[] }).violations,
    );
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('refuses to be shown in a frame of another page', async () => {
    const page = await context.newPage();
    await page.goto(`${running.url}/health`);
    const framed = await page.evaluate(async (url) => {
      const frame = document.createElement('iframe');
      frame.src = url;
      document.body.append(frame);
      await new Promise((resolve) => frame.addEventListener('load', resolve));
      // A frame the policy blocked holds an error page of another origin: its document is not ours.
      try {
        return frame.contentDocument?.title ?? 'blocked';
      } catch {
        return 'blocked';
      }
    }, `${running.url}/`);
    expect(framed).not.toBe('LoreChat demo');
  });
});
