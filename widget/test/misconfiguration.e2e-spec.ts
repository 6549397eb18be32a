/**
 * A site owner's first mistakes, as their visitors and they themselves see them: a wrong site key,
 * a page whose origin the site does not allow, a server address that is not a LoreChat server.
 * The widget says the chat is not set up (not "offline"), stops trying, and prints the server's
 * reason and fix on the browser console; an unreachable server is an outage and is retried.
 */
import { type Browser, type BrowserContext } from 'playwright-core';
import {
  ask,
  launchChromium,
  openWidgetPage,
  Stack,
  watchPageErrors,
  widget,
} from './support/browser';

/** Waits for a condition the page changes asynchronously; fails after `timeoutMs`. */
async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const NOT_SET_UP = 'This chat isn’t set up for this site.';

describe('the widget on a misconfigured site', () => {
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;

  beforeAll(async () => {
    [stack, browser] = await Promise.all([Stack.start(), launchChromium()]);
    context = await browser.newContext();
  });
  afterAll(async () => {
    await context.close();
    await browser.close();
    await stack.close();
  });

  /** Opens a page with the widget, recording console messages and visitor-token requests. */
  async function openPage(options: Record<string, string>) {
    const page = await openWidgetPage(context, stack, { options });
    const pageErrors = watchPageErrors(page);
    const consoleMessages: { type: string; text: string }[] = [];
    const tokenRequests: string[] = [];
    page.on('console', (message) =>
      consoleMessages.push({ type: message.type(), text: message.text() }),
    );
    page.on('request', (request) => {
      if (request.method() === 'POST' && request.url().endsWith('/v1/visitor-token')) {
        tokenRequests.push(request.url());
      }
    });
    return { page, consoleMessages, tokenRequests, pageErrors };
  }

  it.each([
    [
      'an unknown site key',
      'no-such-site',
      /"no-such-site" is not configured on this LoreChat server.*SITES/,
    ],
    [
      'a site key not allowed on this origin',
      'elsewhere-site',
      /origin http:\/\/127\.0\.0\.1:\d+ is not allowed for the site key "elsewhere-site".*SITES/,
    ],
  ])(
    'with %s: says the chat is not set up, stops retrying, and tells the owner why',
    async (_case, siteKey, reason) => {
      const { page, consoleMessages, tokenRequests, pageErrors } = await openPage({
        'site-key': siteKey,
      });
      const w = widget(page);
      await w.launcher.click();
      await w.status.getByText(NOT_SET_UP).waitFor();
      // (Chromium adds its own line about the 403, which no page can prevent.)
      const fromWidget = () => consoleMessages.filter(({ text }) => text.startsWith('LoreChat:'));
      await waitUntil(() => fromWidget().length > 0);
      expect(fromWidget()).toEqual([{ type: 'error', text: expect.stringMatching(reason) }]);

      // A question fails at once with the same words, instead of waiting for a connection.
      await ask(page, 'Anyone there?');
      await w.turn(0).locator('.failure').getByText(NOT_SET_UP).waitFor();

      // Past Socket.IO's backoff and the widget's own 5 s retry: nothing more was attempted.
      await page.waitForTimeout(6000);
      expect(tokenRequests).toHaveLength(1);
      expect(await w.status.innerText()).toBe(NOT_SET_UP);
      expect(await page.getByText('You are offline. Reconnecting…').count()).toBe(0);
      expect(stack.questions).toEqual([]);
      expect(pageErrors).toEqual([]);
      await page.close();
    },
    30_000,
  );

  it('with a server address that is no LoreChat server: warns once on the console and keeps retrying', async () => {
    const { page, consoleMessages, pageErrors } = await openPage({
      'site-key': 'test-site',
      // The test site itself, which speaks no WebSocket.
      'server-url': stack.site.origin,
    });
    let attempts = 0;
    page.on('websocket', () => (attempts += 1));
    const w = widget(page);
    await w.launcher.click();
    await w.status.getByText('You are offline. Reconnecting…').waitFor();
    await waitUntil(() => attempts > 2, 15_000);
    expect(consoleMessages.filter(({ text }) => text.startsWith('LoreChat:'))).toEqual([
      { type: 'warning', text: `LoreChat: cannot reach ${stack.site.origin}/: websocket error` },
    ]);
    expect(pageErrors).toEqual([]);
    await page.close();
  }, 30_000);
});
