/**
 * The connection as visitors live it: the backend goes away in the middle of an answer and comes
 * back on the same address. The widget shows it is offline, keeps a question typed meanwhile,
 * and sends it exactly once when the connection is back, into a new conversation since the
 * restarted server forgot the old one.
 */
import { type Browser, type BrowserContext } from 'playwright-core';
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

describe('the widget when the backend goes away and comes back', () => {
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

  it('shows the offline state, queues a question, and sends it once when back', async () => {
    const page = await openWidgetPage(context, stack);
    const pageErrors = watchPageErrors(page);
    const w = widget(page);
    const slowAnswer = Array.from({ length: 100 }, (_, index) => `word${index}`).join(' ');
    stack.answer(() => streamed(slowAnswer, 50));
    await ask(page, 'How do I deploy?');
    await w.turn(0).locator('.body').getByText('word3').waitFor();

    await stack.stopBackend();
    await w.status.getByText('You are offline. Reconnecting…').waitFor();
    expect(await w.turn(0).locator('.body').innerText()).toMatch(/^word0 word1 word2 word3/);

    await ask(page, 'How do I tear down the stack?');
    await w.turn(1).getByText('Waiting for the connection…').waitFor();
    expect(stack.questions).toEqual(['How do I deploy?']);

    // The restarted backend cannot recover the session (its memory went with it), so the
    // interrupted answer is marked as such, and the queued question goes out.
    stack.answer((question) => streamed(`Answer to: ${question}`));
    await stack.restartBackend();
    await w.turn(0).getByText('The connection was lost before the answer was complete.').waitFor();
    await answerSettled(w.turn(1));
    expect(await w.turn(1).locator('.body').innerText()).toBe(
      'Answer to: How do I tear down the stack?',
    );
    expect(await w.status.isVisible()).toBe(false);
    expect(await w.turn(1).getByText('Waiting for the connection…').isVisible()).toBe(false);

    // Exactly once, even after waiting past another reconnection attempt.
    await page.waitForTimeout(1500);
    expect(stack.questions).toEqual(['How do I deploy?', 'How do I tear down the stack?']);
    expect(await w.turns.count()).toBe(2);

    // The interrupted answer can be asked again in the new conversation.
    await page.getByRole('button', { name: 'Retry' }).click();
    // The retried question moves to the end: until the widget re-renders, the second turn is still
    // the settled answer to the offline question.
    await w.turn(1).locator('.question', { hasText: 'How do I deploy?' }).waitFor();
    await answerSettled(w.turn(1));
    expect(await w.turn(1).locator('.body').innerText()).toBe('Answer to: How do I deploy?');
    expect(stack.questions).toEqual([
      'How do I deploy?',
      'How do I tear down the stack?',
      'How do I deploy?',
    ]);
    expect(pageErrors).toEqual([]);
  });
});
