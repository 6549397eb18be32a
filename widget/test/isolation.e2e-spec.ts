/**
 * The widget on pages it does not control: hostile answers execute nothing, hostile CSS changes
 * nothing in either direction, and nothing the widget meets (blocked storage, broken saved state,
 * bad options, a doubled snippet) ever throws into the page.
 */
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

const XSS_ANSWER = [
  'Plain start.',
  '<script>window.pwned = "script tag"</script>',
  '<img src="x" onerror="window.pwned = \'img onerror\'">',
  '<svg onload="window.pwned = \'svg onload\'"><circle r="5"/></svg>',
  '[a javascript link](javascript:window.pwned=1) and [a data link](data:text/html,<b>x</b>)',
  '<a href="javascript:window.pwned=1">an HTML link</a> <iframe src="javascript:parent.pwned=1"></iframe>',
  '&lt;b&gt;entities&lt;/b&gt; &amp; &#x3C;script&#x3E;',
  '**unclosed *mixed `code [broken](javascript:alert(1) <b onclick="x()">bold?</b>',
  '```\n<script>window.pwned = "in code"</script>\n```',
  '<style>* { display: none !important; }</style>',
  '[safe link](https://example.com/page) <mailto:help@example.com>',
].join('\n\n');

/** Counts of what would show that hostile content ran, read from inside the page. */
async function inspectWidget(page: Page) {
  return page.evaluate(() => {
    const root = document.querySelector('lorechat-widget')?.shadowRoot;
    const elements = [...(root?.querySelectorAll('*') ?? [])];
    const body = [...(root?.querySelectorAll('.body *') ?? [])];
    return {
      pwned: (window as unknown as { pwned?: unknown }).pwned,
      inBody: [...new Set(body.map((element) => element.localName))].sort(),
      eventAttributes: elements.flatMap((element) =>
        [...element.attributes]
          .filter((attribute) => attribute.name.startsWith('on'))
          .map((a) => a.name),
      ),
      stylesheets: [root?.querySelectorAll('style').length, root?.adoptedStyleSheets.length],
      links: [...(root?.querySelectorAll('.body a') ?? [])].map((link) => ({
        href: link.getAttribute('href'),
        rel: link.getAttribute('rel'),
      })),
    };
  });
}

/** Rectangles and the computed styles that matter, of every element in `scope`, in order. */
async function layoutOf(page: Page, scope: 'widget' | 'page') {
  return page.evaluate((scope) => {
    const properties = [
      'display',
      'position',
      'color',
      'background-color',
      'font-family',
      'font-size',
      'font-weight',
      'line-height',
      'padding-top',
      'padding-left',
      'margin-top',
      'border-top-width',
      'border-radius',
      'opacity',
      'visibility',
      'transform',
      'direction',
      'text-align',
      'z-index',
    ];
    const elements =
      scope === 'widget'
        ? [...(document.querySelector('lorechat-widget')?.shadowRoot?.querySelectorAll('*') ?? [])]
        : [...document.querySelectorAll('*')].filter(
            (element) => !['lorechat-widget', 'script'].includes(element.localName),
          );
    return elements.map((element) => {
      const style = getComputedStyle(element);
      const box = element.getBoundingClientRect();
      return {
        element: `${element.localName}.${element.getAttribute('class') ?? ''}`,
        box: [box.x, box.y, box.width, box.height].map(Math.round),
        style: properties.map((property) => style.getPropertyValue(property)),
      };
    });
  }, scope);
}

const HOSTILE_CSS = `<style>
  * { all: unset !important; }
  html, body { font: 40px/3 Impact, fantasy !important; color: red !important; direction: rtl !important; }
  div, p, button, textarea, form, svg, a, ol, li { display: none !important; width: 0 !important; padding: 30px !important; }
  lorechat-widget { display: none !important; opacity: 0 !important; transform: scale(0.3) !important;
    position: absolute !important; font-size: 50px !important; color: lime !important; }
  lorechat-widget * { color: lime !important; }
  button { background: red !important; border-radius: 0 !important; }
  * { --accent: red !important; --text: red !important; --background: black !important; }
</style>`;

describe('the widget on hostile pages', () => {
  const suite = useBrowserSuite({
    // Anything the page's own error handlers see counts as throwing into the page.
    prepare: async (context) => {
      await context.addInitScript(() => {
        const seen: string[] = [];
        (window as unknown as { pageSaw: string[] }).pageSaw = seen;
        window.addEventListener('error', (event) => seen.push(`error: ${event.message}`));
        window.addEventListener('unhandledrejection', (event) =>
          seen.push(`unhandled rejection: ${String(event.reason)}`),
        );
      });
    },
    check: async (context) => {
      for (const page of context.pages()) {
        expect(
          await page.evaluate(() => (window as unknown as { pageSaw: string[] }).pageSaw),
        ).toEqual([]);
      }
    },
  });
  let stack: Stack;
  let context: BrowserContext;

  beforeEach(() => {
    ({ stack, context } = suite);
    stack.answer(() => streamed('An answer [1].'));
  });

  it('shows an answer full of XSS payloads as text and executes none of it', async () => {
    stack.answer(() => streamed(XSS_ANSWER, 5));
    const page = await openWidgetPage(context, stack);
    let dialogs = 0;
    page.on('dialog', (dialog) => {
      dialogs += 1;
      void dialog.dismiss();
    });
    await ask(page, 'How do I deploy to production?');
    const turn = widget(page).turn(0);
    await answerSettled(turn);
    // A question that is a payload: the site's pages do not answer it, and it shows as text.
    await ask(page, '<img src=x onerror="window.pwned=\'question\'">');
    const asked = widget(page).turn(1);
    await answerSettled(asked);

    const found = await inspectWidget(page);
    expect(found.pwned).toBeUndefined();
    expect(dialogs).toBe(0);
    // Only the elements the renderer makes: no script, img, svg, iframe or style from the answer.
    expect(found.inBody).toEqual(['a', 'code', 'p', 'pre']);
    expect(found.eventAttributes).toEqual([]);
    // The core's stylesheet and the voice chunk's (loaded when the panel opened); none from the answer.
    expect(found.stylesheets).toEqual([0, 2]);
    expect(found.links).toEqual([
      { href: 'https://example.com/page', rel: 'noopener noreferrer' },
      { href: 'mailto:help@example.com', rel: 'noopener noreferrer' },
    ]);

    const text = await turn.locator('.body').innerText();
    for (const visible of [
      '<script>window.pwned = "script tag"</script>',
      `<img src="x" onerror="window.pwned = 'img onerror'">`,
      '<svg onload=',
      'a javascript link and a data link',
      '<a href="javascript:window.pwned=1">an HTML link</a>',
      '&lt;b&gt;entities&lt;/b&gt; &amp; &#x3C;script&#x3E;',
      '**unclosed *mixed `code [broken](javascript:alert(1) <b onclick="x()">bold?</b>',
      '<style>* { display: none !important; }</style>',
    ]) {
      expect(text).toContain(visible);
    }
    expect(await asked.locator('.question').innerText()).toContain(
      `<img src=x onerror="window.pwned='question'">`,
    );
    expect(await widget(page).panel.isVisible()).toBe(true);
  });

  it('looks the same on a page with aggressive global CSS, and leaves the page as it was', async () => {
    const content =
      '<header><nav><a href="#">Home</a></nav></header><main><h1>Shop</h1><p>Text <b>bold</b></p>' +
      '<button>Buy</button><form><textarea></textarea></form></main>';
    const widgetLayout = async (head: string, path: string) => {
      const page = await openWidgetPage(context, stack, { head, path, body: content });
      await ask(page, 'How do I deploy?');
      await answerSettled(widget(page).turn(0));
      await page.mouse.move(0, 0);
      await page.evaluate(() =>
        Promise.all(
          (document.querySelector('lorechat-widget')?.shadowRoot?.getAnimations() ?? []).map(
            (animation) => animation.finished,
          ),
        ),
      );
      return layoutOf(page, 'widget');
    };
    const plain = await widgetLayout('', '/plain');
    const hostile = await widgetLayout(HOSTILE_CSS, '/hostile');
    expect(hostile).toEqual(plain);
    expect(plain.find((entry) => entry.element === 'button.launcher')?.box).toEqual([
      1280 - 20 - 56,
      720 - 20 - 56,
      56,
      56,
    ]);

    for (const head of ['', HOSTILE_CSS]) {
      const without = await context.newPage();
      await without.goto(
        serveHostPage(stack, { head, path: '/without', body: content, withWidget: false }),
      );
      const before = await layoutOf(without, 'page');
      const withWidget = await openWidgetPage(context, stack, {
        head,
        path: '/with',
        body: content,
      });
      await widget(withWidget).launcher.click();
      await ask(withWidget, 'How do I deploy?');
      await answerSettled(widget(withWidget).turn(0));
      expect(await layoutOf(withWidget, 'page')).toEqual(before);
      expect(await withWidget.evaluate(() => document.styleSheets.length)).toBe(
        await without.evaluate(() => document.styleSheets.length),
      );
    }
  });

  it('works and keeps its styles under a strict Content-Security-Policy', async () => {
    const server = new URL(stack.serverUrl);
    const policy = [
      "default-src 'none'",
      `script-src ${server.origin}`,
      // The visitor token comes over HTTP(S), the chat over WebSocket.
      `connect-src ${server.origin} ws://${server.host}`,
      "style-src 'self'",
    ].join('; ');
    const page = await openWidgetPage(context, stack, {
      path: '/strict',
      head: `<meta http-equiv="Content-Security-Policy" content="${policy}">`,
    });
    const violations: string[] = [];
    page.on('console', (message) => {
      if (/Content.Security.Policy/i.test(message.text())) violations.push(message.text());
    });
    await ask(page, 'How do I deploy?');
    await answerSettled(widget(page).turn(0));
    expect(await widget(page).turn(0).locator('.body').innerText()).toBe('An answer [1].');
    const launcher = await widget(page).launcher.evaluate((element) => {
      const style = getComputedStyle(element);
      return [style.position, style.width, style.borderRadius];
    });
    expect(launcher).toEqual(['fixed', '56px', '50%']);
    expect(violations).toEqual([]);
  });

  it('works without storage, with broken saved state, bad options and a doubled snippet', async () => {
    const blocked = await context.newPage();
    await blocked.addInitScript(() => {
      Object.defineProperty(window, 'sessionStorage', {
        get() {
          throw new DOMException('The operation is insecure.', 'SecurityError');
        },
      });
    });
    const warnings: string[] = [];
    blocked.on('console', (message) => {
      if (message.type() === 'warning') warnings.push(message.text());
    });
    const url = serveHostPage(stack, {
      path: '/odd',
      options: { theme: 'purple', 'server-url': 'javascript:alert(1)', position: 'middle' },
    });
    await blocked.goto(url);
    await blocked.waitForFunction(() => window.LoreChat !== undefined);
    await ask(blocked, 'How do I deploy?');
    await answerSettled(widget(blocked).turn(0));
    expect(await widget(blocked).turn(0).locator('.body').innerText()).toBe('An answer [1].');
    expect(warnings).toEqual([
      'LoreChat: ignoring data-server-url="javascript:alert(1)": use an http(s) URL',
      'LoreChat: ignoring data-position="middle": use bottom-right, bottom-left',
      'LoreChat: ignoring data-theme="purple": use light, dark, auto',
    ]);

    const broken = await context.newPage();
    await broken.goto(serveHostPage(stack, { path: '/broken', withWidget: false }));
    for (const saved of ['not json', '{"version":1,"turns":[{"id":1}],"open":"yes"}', '[]']) {
      await broken.evaluate((value) => sessionStorage.setItem('lorechat:test-site', value), saved);
      await broken.goto(serveHostPage(stack, { path: '/broken-state' }));
      await broken.waitForFunction(() => window.LoreChat !== undefined);
      expect(await widget(broken).turns.count()).toBe(0);
    }

    const doubled = await context.newPage();
    await doubled.goto(
      serveHostPage(stack, {
        path: '/doubled',
        body: `<p>Pasted twice.</p><script src="${stack.serverUrl}/widget.js" data-site-key="test-site" async></script>`,
      }),
    );
    await doubled.waitForFunction(() => window.LoreChat !== undefined);
    await doubled.waitForLoadState('networkidle');
    expect(await doubled.locator('lorechat-widget').count()).toBe(1);
  });
});
