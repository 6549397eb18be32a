/**
 * The widget as visitors and site owners use it: asking, streaming, sources, feedback, stop,
 * retry, copy, persistence across reloads and pages, the data-* options and the JS API. Minified
 * bundle, real backend, Debian Chromium.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type BrowserContext, type Page } from 'playwright-core';
import {
  answerSettled,
  ask,
  openWidgetPage,
  serveHostPage,
  Stack,
  streamed,
  widget,
  useBrowserSuite,
} from './support/browser';
import { answerRequests } from '../../backend/test/fakes/openai-server';

const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8')) as {
  version: string;
};

const ANSWER =
  'Deploy with **Pulumi** [1]. Run `pulumi up -s prod` to update the stack.\n\n- Preview first\n- Then apply';

type RecordedEvent = [string, unknown];

/** Records the widget's API events in the page, for the test to read back. */
async function recordEvents(page: Page): Promise<() => Promise<RecordedEvent[]>> {
  await page.evaluate(() => {
    const recorded: [string, unknown][] = [];
    (window as unknown as { recorded: typeof recorded }).recorded = recorded;
    for (const event of ['open', 'close', 'question', 'answer', 'error', 'feedback'] as const) {
      window.LoreChat?.on(event, (detail) => recorded.push([event, detail]));
    }
  });
  return () =>
    page.evaluate(() => (window as unknown as { recorded: [string, unknown][] }).recorded);
}

/** Records what the widget's polite live region announces, in order. */
async function recordAnnouncements(page: Page): Promise<() => Promise<string[]>> {
  await page.evaluate(() => {
    const announced: string[] = [];
    (window as unknown as { announced: string[] }).announced = announced;
    const region = document
      .querySelector('lorechat-widget')
      ?.shadowRoot?.querySelector('[aria-live="polite"]');
    new MutationObserver((mutations) => {
      for (const node of mutations.flatMap((mutation) => [...mutation.addedNodes])) {
        announced.push(node.textContent ?? '');
      }
    }).observe(region as Node, { childList: true });
  });
  return () => page.evaluate(() => (window as unknown as { announced: string[] }).announced);
}

describe('the chat widget', () => {
  const suite = useBrowserSuite({
    contextOptions: { permissions: ['clipboard-read', 'clipboard-write'] },
  });
  let stack: Stack;
  let context: BrowserContext;

  beforeEach(() => {
    ({ stack, context } = suite);
    stack.answer(() => streamed(ANSWER));
  });

  it('streams an answer with Markdown, citations and sources, then takes feedback', async () => {
    stack.answer(() => streamed(ANSWER, 60));
    const page = await openWidgetPage(context, stack);
    const events = await recordEvents(page);
    const announcements = await recordAnnouncements(page);
    const w = widget(page);
    await ask(page, 'How do I deploy to production?');

    const turn = w.turn(0);
    const body = turn.locator('.body');
    await body.getByText('Deploy with').waitFor();
    expect(await turn.locator('.actions').count()).toBe(0);
    expect(await w.stop.isVisible()).toBe(true);

    await answerSettled(turn);
    expect(await w.stop.isVisible()).toBe(false);
    expect(await body.locator('strong').innerText()).toBe('Pulumi');
    expect(await body.locator('code').innerText()).toBe('pulumi up -s prod');
    expect(await body.locator('li').allInnerTexts()).toEqual(['Preview first', 'Then apply']);

    const sources = turn.locator('.sources a');
    expect(await sources.count()).toBeGreaterThan(0);
    const firstSource = await sources.first().getAttribute('href');
    expect(firstSource).toMatch(/^http:\/\/lorechat\.test\/docs\/deployment\.md#/);
    const citation = body.locator('a.cite');
    expect(await citation.innerText()).toBe('[1]');
    expect(await citation.getAttribute('href')).toBe(firstSource);
    expect(await citation.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await citation.getAttribute('aria-label')).toMatch(/^Source 1: Deployment/);

    // Announced by whole sentences (list items count as such), never token by token.
    expect(await announcements()).toEqual([
      'Deploy with Pulumi [1].',
      'Run pulumi up -s prod to update the stack.',
      'Preview first',
      'Then apply',
    ]);

    await page.getByRole('button', { name: 'Not helpful' }).click();
    expect(
      await page.getByRole('button', { name: 'Not helpful' }).getAttribute('aria-pressed'),
    ).toBe('true');
    await page.getByRole('textbox', { name: 'Tell us more (optional)' }).fill('Wrong page');
    await page.getByRole('button', { name: 'Send comment' }).click();
    // The thanks shows with the comment form already; the form goes once the server took the comment.
    await page
      .getByRole('textbox', { name: 'Tell us more (optional)' })
      .waitFor({ state: 'detached' });
    expect(await page.getByText('Thanks for your feedback!').count()).toBe(1);

    const recorded = await events();
    const messageId = (recorded.find(([event]) => event === 'answer')?.[1] as { messageId: string })
      .messageId;
    expect(recorded).toEqual([
      ['open', undefined],
      ['question', { text: 'How do I deploy to production?' }],
      ['answer', { messageId, text: ANSWER, sources: expect.any(Array), cancelled: false }],
      ['feedback', { messageId, rating: 'down' }],
      ['feedback', { messageId, rating: 'down', comment: 'Wrong page' }],
    ]);
  });

  it('keeps the conversation across a reload and the pages of the site, and continues it', async () => {
    const page = await openWidgetPage(context, stack);
    const w = widget(page);
    await ask(page, 'How do I deploy to production?');
    await answerSettled(w.turn(0));
    await page.getByRole('button', { name: 'Helpful', exact: true }).click();
    await page.getByText('Thanks for your feedback!').waitFor();

    await page.reload();
    await page.waitForFunction(() => window.LoreChat !== undefined);
    expect(await w.panel.isVisible()).toBe(true);
    expect(await w.turns.count()).toBe(1);
    expect(await w.turn(0).locator('.question').innerText()).toContain(
      'How do I deploy to production?',
    );
    expect(await w.turn(0).locator('.body strong').innerText()).toBe('Pulumi');
    expect(await w.turn(0).locator('.sources a').count()).toBeGreaterThan(0);
    expect(
      await page.getByRole('button', { name: 'Helpful', exact: true }).getAttribute('aria-pressed'),
    ).toBe('true');

    await page.goto(serveHostPage(stack, { path: '/pricing' }));
    await page.waitForFunction(() => window.LoreChat !== undefined);
    expect(await w.turns.count()).toBe(1);

    stack.answer(() => streamed('Use the staging stack [1].'));
    await ask(page, 'And for staging?');
    await answerSettled(w.turn(1));
    // The follow-up went out in the same conversation: the model saw the first exchange.
    const messages = answerRequests(stack.openAi).at(-1)?.body.messages ?? [];
    expect(messages.map((message) => message.content)).toEqual([
      expect.any(String),
      'How do I deploy to production?',
      ANSWER,
      expect.stringMatching(/Question: And for staging\?$/),
    ]);
  });

  it('stops generating on request and keeps what was written', async () => {
    const words = Array.from({ length: 80 }, (_, index) => `word${index}`).join(' ');
    stack.answer(() => streamed(words, 40));
    const aborted = stack.openAi.abortedRequests;
    const page = await openWidgetPage(context, stack);
    const w = widget(page);
    await ask(page, 'How do I deploy to production?');
    await w.turn(0).locator('.body').getByText('word2').waitFor();
    await page.getByRole('button', { name: 'Stop generating' }).click();

    await w.turn(0).getByText('Stopped.').waitFor();
    await answerSettled(w.turn(0));
    expect(await w.turn(0).locator('.body').innerText()).not.toContain('word79');
    expect(await w.stop.isVisible()).toBe(false);
    await stack.openAi.waitForAbort(aborted + 1);
    // The keyboard is not left on the vanished Stop button.
    expect(await page.evaluate(() => document.activeElement?.localName)).toBe('lorechat-widget');
  });

  it('shows a failed answer with Retry, which asks again', async () => {
    stack.openAi.setScript([{ kind: 'error', status: 500 }, streamed('Recovered answer.')]);
    const page = await openWidgetPage(context, stack);
    const events = await recordEvents(page);
    const w = widget(page);
    await ask(page, 'How do I deploy?');
    await w
      .turn(0)
      .getByText('The assistant is not available right now. Please retry later.')
      .waitFor();

    await page.getByRole('button', { name: 'Retry' }).click();
    // Until the widget re-renders, the turn is still the settled failure.
    await w.turn(0).locator('.failure').waitFor({ state: 'detached' });
    await answerSettled(w.turn(0));
    expect(await w.turns.count()).toBe(1);
    expect(await w.turn(0).locator('.body').innerText()).toBe('Recovered answer.');
    expect(stack.questions.slice(-2)).toEqual(['How do I deploy?', 'How do I deploy?']);
    expect((await events()).filter(([event]) => event === 'error')).toEqual([
      [
        'error',
        {
          code: 'provider_unavailable',
          message: 'The assistant is not available right now. Please retry later.',
        },
      ],
    ]);
  });

  it('scrolls a long code line inside its block, never the panel sideways', async () => {
    const command = `npm run lorechat -- ingest ${'--include "/docs/*" '.repeat(12)}--site https://example.com`;
    stack.answer(() => streamed(`Run this [1]:\n\n\`\`\`sh\n${command}\n\`\`\``));
    const page = await openWidgetPage(context, stack);
    // A question the fixture pages answer, so the model is asked and streams the code block.
    await ask(page, 'How do I deploy to production?');
    const turn = widget(page).turn(0);
    await answerSettled(turn);
    const block = turn.locator('pre');
    expect(await block.textContent()).toBe(command);
    const widths = await page.evaluate(() => {
      const root = document.querySelector('lorechat-widget')?.shadowRoot;
      const pre = root?.querySelector('pre');
      const log = root?.querySelector('.log');
      return {
        preScrolls: (pre?.scrollWidth ?? 0) > (pre?.clientWidth ?? 0),
        preOverflow: pre ? getComputedStyle(pre).overflowX : '',
        logFits: (log?.scrollWidth ?? 1) <= (log?.clientWidth ?? 0),
      };
    });
    expect(widths).toEqual({ preScrolls: true, preOverflow: 'auto', logFits: true });
  });

  it('copies an answer as text', async () => {
    const page = await openWidgetPage(context, stack);
    await ask(page, 'How do I deploy to production?');
    await answerSettled(widget(page).turn(0));
    await page.getByRole('button', { name: 'Copy answer' }).click();
    await widget(page).liveRegion.getByText('Copied').waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toMatch(
      /^Deploy with Pulumi \[1\]\. Run pulumi up -s prod to update the stack\./,
    );
    expect(copied).toContain('Preview first');
    expect(copied).not.toContain('**');
  });

  it('applies the data-* options', async () => {
    stack.answer((question) => streamed(`You asked: ${question}`));
    const page = await openWidgetPage(context, stack, {
      options: {
        title: 'Ask our docs',
        greeting: 'Hello from the docs team.',
        position: 'bottom-left',
        theme: 'dark',
        'accent-color': '#ffd600',
        'suggested-questions': 'How do I start?|How do I tear down the stack?',
        open: 'true',
        locale: 'fr',
      },
    });
    const w = widget(page);
    await w.panel.waitFor();
    expect(await page.getByRole('dialog', { name: 'Ask our docs' }).isVisible()).toBe(true);
    expect(await page.getByText('Hello from the docs team.').isVisible()).toBe(true);
    expect(await w.input.getAttribute('aria-label')).toBe('Votre question');

    const launcherBox = await w.launcher.boundingBox();
    expect(launcherBox?.x).toBeLessThan(100);
    const colours = await w.launcher.evaluate((launcher) => {
      const style = getComputedStyle(launcher);
      return [style.backgroundColor, style.color];
    });
    // A light accent gets dark text, for contrast.
    expect(colours).toEqual(['rgb(255, 214, 0)', 'rgb(17, 17, 17)']);
    expect(await w.panel.evaluate((panel) => getComputedStyle(panel).backgroundColor)).toBe(
      'rgb(29, 29, 34)',
    );

    await page.getByRole('button', { name: 'How do I tear down the stack?' }).click();
    await answerSettled(w.turn(0));
    expect(await w.turn(0).locator('.body').innerText()).toBe(
      'You asked: How do I tear down the stack?',
    );
    expect(await page.getByRole('button', { name: 'How do I start?' }).isVisible()).toBe(false);
  });

  it('is driven by the LoreChat JS API, and defines no other global', async () => {
    const withoutWidget = await context.newPage();
    await withoutWidget.goto(serveHostPage(stack, { withWidget: false }));
    const globalsBefore = await withoutWidget.evaluate(() => Object.keys(window));
    stack.answer((question) => streamed(`Answer to ${question}`));
    const page = await openWidgetPage(context, stack);
    const w = widget(page);
    const added = await page.evaluate(
      (before) => Object.keys(window).filter((key) => !before.includes(key)),
      globalsBefore,
    );
    expect(added).toEqual(['LoreChat']);
    expect(await page.evaluate(() => window.LoreChat?.version)).toBe(version);

    const events = await recordEvents(page);
    await page.evaluate(() => window.LoreChat?.open());
    expect(await w.panel.isVisible()).toBe(true);
    await page.evaluate(() => window.LoreChat?.close());
    expect(await w.panel.isVisible()).toBe(false);

    await page.evaluate(() => window.LoreChat?.ask('  What is LoreChat?  '));
    expect(await w.panel.isVisible()).toBe(true);
    await answerSettled(w.turn(0));
    expect(await w.turn(0).locator('.body').innerText()).toBe('Answer to What is LoreChat?');

    // Bad calls are reported on the console, never thrown; an unsubscribed listener is not called.
    const outcome = await page.evaluate(() => {
      const api = window.LoreChat;
      let calls = 0;
      const unsubscribe = api?.on('open', () => (calls += 1));
      unsubscribe?.();
      api?.on('close', () => {
        throw new Error('a page listener that throws');
      });
      (api?.ask as (text: unknown) => void)(42);
      api?.ask('');
      api?.close();
      api?.open();
      api?.close();
      return calls;
    });
    expect(outcome).toBe(0);
    expect(await w.turns.count()).toBe(1);
    expect((await events()).map(([event]) => event)).toEqual([
      'open',
      'close',
      'open',
      'question',
      'answer',
      'close',
      'open',
      'close',
    ]);

    await page.evaluate(() => window.LoreChat?.destroy());
    expect(await page.locator('lorechat-widget').count()).toBe(0);
    expect(await page.evaluate(() => 'LoreChat' in window)).toBe(false);
  });

  it('shows the widget on the demo page at /, loaded by its snippet', async () => {
    const page = await context.newPage();
    await page.goto(stack.serverUrl);
    await widget(page).panel.waitFor();
    expect(
      await page.getByRole('button', { name: 'How do I deploy to production?' }).isVisible(),
    ).toBe(true);
  });
});

describe('the chat widget when the daily budget is spent', () => {
  // A site budget no answer fits in: every question is refused before the model is asked.
  const suite = useBrowserSuite({ env: { SITE_TOKENS_PER_DAY: '1' } });

  it('says the daily limit is reached, not that there were too many questions', async () => {
    const page = await openWidgetPage(suite.context, suite.stack);
    const events = await recordEvents(page);
    const w = widget(page);
    await ask(page, 'How do I deploy?');
    const failure = w.turn(0).locator('.failure');
    await failure.waitFor();
    expect(await failure.innerText()).toContain(
      "Today's limit of answers is reached. Please retry later.",
    );
    expect(await failure.innerText()).not.toMatch(/too many/i);
    expect(await events()).toContainEqual([
      'error',
      {
        code: 'daily_limit_reached',
        message: "Today's limit of answers is reached. Please retry later.",
      },
    ]);
    expect(suite.stack.questions).toEqual([]);
  });
});
