/**
 * Talk to a person, on the minified bundle in Debian Chromium with the real backend, whose
 * HANDOFF_WEBHOOK_URL points at a real local HTTP server standing in for the site owner's Slack
 * (backend/test/fakes/webhook-server.ts). The handoff UI is the widget-handoff.js chunk, loaded
 * once the server says a channel is configured.
 */
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import { type WebhookBody } from '../../backend/src/handoff/handoff-message';
import { type FakeWebhook, startFakeWebhook } from '../../backend/test/fakes/webhook-server';
import {
  answerSettled,
  ask,
  launchChromium,
  openWidgetPage,
  Stack,
  streamed,
  watchPageErrors,
  widget,
} from './support/browser';

const NOT_FOUND = "I couldn't find that on this site.";

async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function handoffRequests(context: BrowserContext): string[] {
  const requests: string[] = [];
  context.on('request', (request) => {
    if (request.url().includes('widget-handoff')) requests.push(request.url());
  });
  return requests;
}

describe('talk to a person', () => {
  let webhook: FakeWebhook;
  let stack: Stack;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    webhook = await startFakeWebhook();
    [stack, browser] = await Promise.all([
      Stack.start({ HANDOFF_WEBHOOK_URL: `${webhook.url}/slack` }),
      launchChromium(),
    ]);
  });
  afterAll(async () => {
    await browser.close();
    await stack.close();
    await webhook.close();
  });
  beforeEach(async () => {
    context = await browser.newContext();
  });
  afterEach(async () => {
    await context.close();
    expect(errors).toEqual([]);
  });

  const open = async () => {
    page = await openWidgetPage(context, stack, { path: '/pricing' });
    errors = watchPageErrors(page);
    return page;
  };

  it('offers a person after an answer that found nothing, and sends the message with the conversation', async () => {
    stack.answer(() => streamed(NOT_FOUND));
    const chunkLoads = handoffRequests(context);
    await open();
    await ask(page, 'Do you ship to Mars?');
    await answerSettled(widget(page).turn(0));
    expect(chunkLoads).toHaveLength(1);

    await page.getByText('Would you like to ask a person instead?').waitFor();
    await page.getByRole('button', { name: 'Talk to a person' }).click();
    const email = page.getByLabel('Your e-mail');
    // The keyboard lands in the form.
    expect(await email.evaluate((element) => element.matches(':focus'))).toBe(true);

    // A wrong address is caught before anything is sent.
    await email.fill('not an address');
    await page.getByLabel('Your message').fill('Please tell me about shipping to Mars.');
    await page.getByRole('button', { name: 'Send to the team' }).click();
    expect(webhook.requests).toHaveLength(0);

    await email.fill('visitor@example.org');
    await page.getByRole('button', { name: 'Send to the team' }).click();
    await page.getByText('Sent. The team will reply to visitor@example.org.').waitFor();

    await until(() => webhook.requests.length === 1, 'the webhook');
    const { handoff } = webhook.requests[0]?.body as WebhookBody;
    expect(handoff).toMatchObject({
      siteKey: 'test-site',
      email: 'visitor@example.org',
      message: 'Please tell me about shipping to Mars.',
      page: { url: `${stack.site.origin}/pricing`, title: 'Test site' },
      locale: 'en',
      conversationId: expect.any(String),
      // The site says nothing of Mars: the answer is the server's own "not found", whatever the model.
      transcript: [
        {
          question: 'Do you ship to Mars?',
          answer: expect.stringMatching(/^I couldn't find that/),
        },
      ],
    });
  });

  it('offers a person when the visitor asks for one, and not after an answer that cites the site', async () => {
    // Every answer cites the site: only the question can bring the offer.
    stack.answer(() => streamed('Deploy with Pulumi [1].'));
    await open();
    await ask(page, 'How do I deploy?');
    await answerSettled(widget(page).turn(0));
    expect(await page.getByRole('button', { name: 'Talk to a person' }).isVisible()).toBe(false);

    await ask(page, 'Can I talk to a human?');
    await page.getByRole('button', { name: 'Talk to a person' }).waitFor();
    await answerSettled(widget(page).turn(1));
    expect(await page.getByRole('button', { name: 'Talk to a person' }).isVisible()).toBe(true);
  });

  it('keeps what the visitor wrote when it could not be sent, and sends it once the server is back', async () => {
    stack.answer(() => streamed(NOT_FOUND));
    await open();
    await ask(page, 'Do you ship to Mars?');
    await answerSettled(widget(page).turn(0));
    await page.getByRole('button', { name: 'Talk to a person' }).click();
    await page.getByLabel('Your e-mail').fill('visitor@example.org');
    await page.getByLabel('Your message').fill('Are you there?');
    const before = webhook.requests.length;

    await stack.stopBackend();
    await page.getByRole('button', { name: 'Send to the team' }).click();
    await page.getByText(/could not be sent/).waitFor();
    expect(await page.getByLabel('Your message').inputValue()).toBe('Are you there?');

    await stack.restartBackend();
    await widget(page)
      .status.filter({ hasText: /offline/i })
      .waitFor({ state: 'hidden' });
    await page.getByRole('button', { name: 'Send to the team' }).click();
    await page.getByText('Sent. The team will reply to visitor@example.org.').waitFor();
    await until(() => webhook.requests.length === before + 1, 'the webhook');
  });
});

describe('talk to a person on a server without a handoff channel', () => {
  it('loads nothing and offers nothing', async () => {
    const [stack, browser] = await Promise.all([Stack.start(), launchChromium()]);
    try {
      const context = await browser.newContext();
      const chunkLoads = handoffRequests(context);
      stack.answer(() => streamed(NOT_FOUND));
      const page = await openWidgetPage(context, stack);
      const errors = watchPageErrors(page);
      await ask(page, 'Can I talk to a human?');
      await answerSettled(widget(page).turn(0));
      expect(chunkLoads).toEqual([]);
      expect(await page.locator('.handoff').count()).toBe(0);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await stack.close();
    }
  });
});
