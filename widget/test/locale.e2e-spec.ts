/**
 * The widget in the page's language: English is in widget.js, every other language is a chunk
 * (widget-locale-<locale>.js) loaded before the widget shows. Minified bundle, real backend, Debian
 * Chromium.
 */
import { type BrowserContext, type ConsoleMessage } from 'playwright-core';
import { openWidgetPage, useBrowserSuite, widget } from './support/browser';

declare global {
  interface Window {
    /** The launcher's label and the question box's placeholder when the widget entered the page. */
    firstPaint?: { launcher: string | null; placeholder: string | null };
  }
}

/** Records, in the page, what the widget said when its element was first added to the page. */
async function recordFirstPaint(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    new MutationObserver((mutations, observer) => {
      for (const node of mutations.flatMap((mutation) => [...mutation.addedNodes])) {
        if (!(node instanceof HTMLElement) || node.localName !== 'lorechat-widget') continue;
        const root = node.shadowRoot;
        window.firstPaint = {
          launcher: root?.querySelector('.launcher')?.getAttribute('aria-label') ?? null,
          placeholder: root?.querySelector('textarea')?.getAttribute('placeholder') ?? null,
        };
        observer.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
}

/** The chunks the pages of a context request. */
function chunkRequests(context: BrowserContext): string[] {
  const requests: string[] = [];
  context.on('request', (request) => {
    const chunk = /widget-[\w-]+\.js/.exec(request.url())?.[0];
    if (chunk) requests.push(chunk);
  });
  return requests;
}

describe('the widget in the page’s language', () => {
  const suite = useBrowserSuite({ lazy: true });

  it('shows German from its first paint, with the German chunk alone', async () => {
    const context = await suite.newContext({ locale: 'de-DE' });
    await recordFirstPaint(context);
    const chunks = chunkRequests(context);
    const page = await openWidgetPage(context, suite.stack);
    expect(await page.evaluate(() => window.firstPaint)).toEqual({
      launcher: 'Chat öffnen',
      placeholder: 'Stellen Sie eine Frage…',
    });
    expect(chunks).toEqual(['widget-locale-de.js']);
  });

  it('loads no language chunk on an English page', async () => {
    const context = await suite.newContext({ locale: 'en-GB' });
    await recordFirstPaint(context);
    const chunks = chunkRequests(context);
    const page = await openWidgetPage(context, suite.stack, { options: { locale: 'en' } });
    expect((await page.evaluate(() => window.firstPaint))?.launcher).toBe('Open chat');
    expect(chunks).toEqual([]);
  });

  it('speaks English, and says why on the console, when the language chunk cannot load', async () => {
    const context = await suite.newContext();
    await context.route(/widget-locale-es\.js/, (route) => route.abort('connectionrefused'));
    const logged: string[] = [];
    context.on('console', (message: ConsoleMessage) => logged.push(message.text()));
    const page = await openWidgetPage(context, suite.stack, { options: { locale: 'es' } });
    const w = widget(page);
    expect(await w.launcher.getAttribute('aria-label')).toBe('Open chat');
    await w.launcher.click();
    expect(await w.input.getAttribute('placeholder')).toBe('Ask a question…');
    expect(logged.some((text) => text.startsWith('LoreChat:'))).toBe(true);
  });
});
