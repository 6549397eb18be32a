/**
 * Accessibility and languages: axe-core inside the open widget, a keyboard-only walk-through,
 * Arabic laid out right to left, reduced motion; and the screenshots README.md shows, taken from
 * the same states (light, dark, mobile, right-to-left) into docs/images/.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import axe from 'axe-core';
import { type Browser, type BrowserContext, type Page } from 'playwright-core';
import {
  answerSettled,
  ask,
  openWidgetPage,
  type HostPage,
  Stack,
  streamed,
  widget,
  useBrowserSuite,
} from './support/browser';

/**
 * Screenshots go to docs/images only when asked (`npm run screenshots`): a test run must not
 * rewrite the repository's files.
 */
const SCREENSHOTS =
  process.env.LORECHAT_SCREENSHOTS === '1'
    ? join(__dirname, '..', '..', 'docs', 'images')
    : mkdtempSync(join(tmpdir(), 'lorechat-screenshots-'));

const ANSWERS: Record<string, string> = {
  'How do I deploy to production?':
    'Deploy with **Pulumi** from the repository root [1]:\n\n' +
    '1. Preview the change with `pulumi preview -s prod`.\n' +
    '2. Apply it with `pulumi up -s prod`.\n\n' +
    'The stack prints the widget snippet when it is done [2].',
  'كيف أنشر إلى الإنتاج باستخدام Pulumi؟':
    'انشر باستخدام **Pulumi** من جذر المستودع [1]:\n\n' +
    '1. عاين التغيير باستخدام `pulumi preview -s prod`.\n' +
    '2. طبّقه باستخدام `pulumi up -s prod`.',
};

/** A plain site page behind the widget, so screenshots show it where site owners put it. */
const SITE_PAGE: HostPage = {
  head: `<style>
    body { margin: 0; font: 17px/1.6 Georgia, serif; color: #222; background: #fbfaf7; }
    header { padding: 18px 48px; background: #16324f; color: #fff; font: 600 20px system-ui, sans-serif; }
    main { max-width: 640px; padding: 32px 48px; }
  </style>`,
  body: `<header>Acme Docs</header><main><h1>Getting started</h1>
    <p>Install the command-line tool, sign in, and create your first project. The guides on the left
    cover every step, from the first deployment to custom domains.</p>
    <p><a href="#">Read the installation guide</a></p></main>`,
};

type AxeViolation = { id: string; impact: string | null; nodes: { target: unknown[] }[] };

/** Runs axe-core on the page, the widget's shadow root included; returns serious and worse. */
async function seriousViolations(page: Page): Promise<AxeViolation[]> {
  await page.addScriptTag({ content: axe.source });
  const { violations, widgetNodesChecked } = await page.evaluate(async () => {
    const results = await window.axe.run(document);
    // Nodes inside a shadow root have a target path that starts at its host.
    const inWidget = (target: unknown[]) =>
      Array.isArray(target[0]) && target[0][0] === 'lorechat-widget';
    return {
      violations: results.violations.map(({ id, impact, nodes }) => ({
        id,
        impact: impact ?? null,
        nodes: nodes.map(({ target }) => ({ target })),
      })),
      widgetNodesChecked: results.passes
        .flatMap((rule) => rule.nodes)
        .filter((node) => inWidget(node.target)).length,
    };
  });
  // Proof that axe looked inside the shadow root, not only at the page around it.
  expect(widgetNodesChecked).toBeGreaterThan(20);
  return violations.filter((violation) => ['serious', 'critical'].includes(violation.impact ?? ''));
}

/** The element focused inside the widget: its class, or its accessible label. */
function focusedInWidget(page: Page): Promise<string | undefined> {
  return page.evaluate(() => {
    const active = document.querySelector('lorechat-widget')?.shadowRoot?.activeElement;
    if (!active) return undefined;
    return active.getAttribute('aria-label') ?? active.className ?? active.localName;
  });
}

function focusIsInPanel(page: Page): Promise<boolean> {
  return page.evaluate(() => {
    const root = document.querySelector('lorechat-widget')?.shadowRoot;
    return !!root?.querySelector('.panel')?.contains(root.activeElement);
  });
}

async function settleForScreenshot(page: Page): Promise<void> {
  await page.mouse.move(0, 0);
  await page.evaluate(() => {
    const active = document.querySelector('lorechat-widget')?.shadowRoot?.activeElement;
    if (active instanceof HTMLElement) active.blur();
  });
}

declare global {
  interface Window {
    axe: typeof axe;
  }
}

describe('accessibility and languages', () => {
  const suite = useBrowserSuite({ lazy: true });
  let stack: Stack;
  let context: BrowserContext;

  beforeAll(() => {
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  beforeEach(() => {
    ({ stack } = suite);
    stack.answer((question) => streamed(ANSWERS[question] ?? `An answer to: ${question}`));
  });
  async function newContext(options: Parameters<Browser['newContext']>[0] = {}) {
    context = await suite.newContext({ viewport: { width: 1280, height: 800 }, ...options });
    return context;
  }

  it.each(['light', 'dark'])(
    'has no serious or critical axe violations in the open widget (%s theme)',
    async (theme) => {
      const page = await openWidgetPage(await newContext(), stack, {
        ...SITE_PAGE,
        options: {
          theme,
          'suggested-questions': 'How do I deploy to production?|What does it cost?',
        },
      });
      await widget(page).launcher.click();
      expect(await seriousViolations(page)).toEqual([]);

      await ask(page, 'How do I deploy to production?');
      await answerSettled(widget(page).turn(0));
      await settleForScreenshot(page);
      await page.screenshot({
        path: join(SCREENSHOTS, `widget-${theme}.png`),
        clip: { x: 800, y: 40, width: 480, height: 760 },
      });

      await page.getByRole('button', { name: 'Helpful', exact: true }).click();
      await page.getByRole('textbox', { name: 'Tell us more (optional)' }).waitFor();
      stack.openAi.setScript({ kind: 'error', status: 500 });
      await ask(page, 'And staging?');
      await page.getByRole('button', { name: 'Retry' }).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
    },
  );

  it('is usable with the keyboard alone', async () => {
    const page = await openWidgetPage(await newContext(), stack, SITE_PAGE);
    const w = widget(page);
    // From the page's last link, Tab reaches the launcher.
    await page.getByRole('link', { name: 'Read the installation guide' }).focus();
    await page.keyboard.press('Tab');
    expect(await focusedInWidget(page)).toBe('Open chat');
    expect(await w.launcher.evaluate((launcher) => getComputedStyle(launcher).outlineStyle)).toBe(
      'solid',
    );

    await page.keyboard.press('Enter');
    expect(await w.panel.isVisible()).toBe(true);
    expect(await focusedInWidget(page)).toBe('Your question');
    expect(await w.launcher.getAttribute('aria-expanded')).toBe('true');

    // Shift+Enter makes a new line, Enter sends.
    await page.keyboard.type('How do I deploy');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('to production?');
    expect(await w.input.inputValue()).toBe('How do I deploy\nto production?');
    await page.keyboard.press('Enter');
    await answerSettled(w.turn(0));
    expect(await w.input.inputValue()).toBe('');
    expect(stack.questions.at(-1)).toBe('How do I deploy\nto production?');

    // Tab and Shift+Tab go round inside the open panel and never leave it.
    const visited = new Set<string>();
    for (let step = 0; step < 30; step += 1) {
      await page.keyboard.press('Tab');
      expect(await page.evaluate(() => document.activeElement?.localName)).toBe('lorechat-widget');
      expect(await focusIsInPanel(page)).toBe(true);
      visited.add((await focusedInWidget(page)) ?? '');
    }
    expect([...visited]).toEqual(
      expect.arrayContaining(['Close chat', 'Conversation', 'Copy answer', 'Helpful', 'Send']),
    );
    await w.panel.getByRole('button', { name: 'Close chat' }).focus();
    await page.keyboard.press('Shift+Tab');
    expect(await focusedInWidget(page)).toBe('Send');
    await page.keyboard.press('Tab');
    expect(await focusedInWidget(page)).toBe('Close chat');
    expect(await focusIsInPanel(page)).toBe(true);

    // Rate with the keyboard and leave a comment.
    await page.getByRole('button', { name: 'Not helpful' }).focus();
    await page.keyboard.press('Space');
    await page.getByRole('textbox', { name: 'Tell us more (optional)' }).waitFor();
    await page.keyboard.press('Tab');
    expect(await focusedInWidget(page)).toBe('Tell us more (optional)');
    await page.keyboard.type('The second step was unclear.');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await page.getByText('Thanks for your feedback!').waitFor();

    // Escape closes the panel and gives the focus back to the launcher.
    await page.keyboard.press('Escape');
    expect(await w.panel.isVisible()).toBe(false);
    expect(await focusedInWidget(page)).toBe('Open chat');
    expect(await w.launcher.getAttribute('aria-expanded')).toBe('false');
  });

  it('lays Arabic out right to left, in Arabic', async () => {
    const page = await openWidgetPage(await newContext({ locale: 'ar-EG' }), stack, {
      ...SITE_PAGE,
      options: { open: 'true' },
    });
    const w = widget(page);
    await w.panel.waitFor();
    const layout = await page.evaluate(() => {
      const root = document.querySelector('lorechat-widget')?.shadowRoot;
      const element = (selector: string) => root?.querySelector(selector) as HTMLElement;
      return {
        dir: element('.root').dir,
        lang: element('.root').lang,
        inputDirection: getComputedStyle(element('textarea')).direction,
        title: element('h2').textContent,
        placeholder: element('textarea').getAttribute('placeholder'),
        launcherLeft: element('.launcher').getBoundingClientRect().left,
        panelLeft: element('.panel').getBoundingClientRect().left,
      };
    });
    expect(layout).toEqual({
      dir: 'rtl',
      lang: 'ar',
      inputDirection: 'rtl',
      title: 'اطرح سؤالاً',
      placeholder: 'اطرح سؤالاً…',
      launcherLeft: 20,
      panelLeft: 20,
    });

    await ask(page, 'كيف أنشر إلى الإنتاج باستخدام Pulumi؟');
    await answerSettled(w.turn(0));
    const bubbles = await page.evaluate(() => {
      const root = document.querySelector('lorechat-widget')?.shadowRoot;
      const box = (selector: string) => root?.querySelector(selector)?.getBoundingClientRect();
      return { log: box('.log'), question: box('.question'), answer: box('.answer') };
    });
    // Mirrored: answers start at the right edge, the visitor's questions sit against the left.
    expect(bubbles.answer?.right).toBeCloseTo((bubbles.log?.right ?? 0) - 16, 0);
    expect(bubbles.question?.left).toBeCloseTo((bubbles.log?.left ?? 0) + 16, 0);
    expect(bubbles.question?.right).toBeLessThan(bubbles.answer?.right ?? 0);
    expect(await page.getByRole('button', { name: 'نسخ الإجابة' }).count()).toBe(1);
    expect(await seriousViolations(page)).toEqual([]);

    await settleForScreenshot(page);
    await page.screenshot({
      path: join(SCREENSHOTS, 'widget-rtl.png'),
      clip: { x: 0, y: 40, width: 480, height: 760 },
    });
  });

  it('fills a narrow screen, and respects reduced motion', async () => {
    const page = await openWidgetPage(
      await newContext({ viewport: { width: 390, height: 760 }, reducedMotion: 'reduce' }),
      stack,
      SITE_PAGE,
    );
    const w = widget(page);
    await w.launcher.click();
    expect(await w.panel.boundingBox()).toEqual({ x: 0, y: 0, width: 390, height: 760 });
    expect(await w.launcher.isVisible()).toBe(false);
    expect(await w.panel.evaluate((panel) => getComputedStyle(panel).animationName)).toBe('none');

    await ask(page, 'How do I deploy to production?');
    await answerSettled(w.turn(0));
    await page.getByRole('button', { name: 'Close chat' }).click();
    expect(await w.launcher.isVisible()).toBe(true);
    await w.launcher.click();

    await settleForScreenshot(page);
    await page.screenshot({ path: join(SCREENSHOTS, 'widget-mobile.png') });
  });
});
