import { type Browser, type Route } from 'playwright-core';
import { type FetchResult, USER_AGENT } from './fetcher';

export const RENDER_UNAVAILABLE =
  '--render js needs playwright-core and Chromium (/usr/bin/chromium or CHROMIUM_PATH)';

/** playwright-core or the browser is missing: the crawl cannot start, and the user is told why. */
export class RenderUnavailableError extends Error {
  constructor(cause: unknown) {
    super(`${RENDER_UNAVAILABLE}: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'RenderUnavailableError';
  }
}

export interface RendererOptions {
  executablePath: string;
  /** Deadline for loading one page (its own scripts and requests included). */
  timeoutMs: number;
  /** May the page load this URL? Asked for every request other than the page itself. */
  allowRequest: (url: string) => boolean;
  /** Loads what the page asks for through the crawler's fetcher, hence its SSRF guard. */
  fetch: (url: string) => Promise<FetchResult>;
}

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  // Every request is answered by our route handler; anything that escapes it (WebSockets,
  // beacons, prefetches) goes to a proxy that does not exist, so Chromium itself reaches nothing.
  '--proxy-server=http://127.0.0.1:9',
  '--proxy-bypass-list=<-loopback>',
];
/** What scripts fetch after the load event gets this long to arrive before the page is read. */
const SETTLE_MS = 2000;
/** Not text: never fetched. */
const SKIPPED_RESOURCES = new Set(['image', 'media', 'font', 'stylesheet']);

/**
 * Renders script-built pages in headless Chromium: one browser per crawl, a fresh context per page.
 * The browser never touches the network: the page's own HTML is the body the crawler already
 * fetched, and its scripts' requests are fetched by the crawler's fetcher (politeness, size limits
 * and the private-address guard included) when in scope, and refused otherwise.
 */
export class JsRenderer {
  private constructor(
    private readonly browser: Browser,
    private readonly options: RendererOptions,
  ) {}

  static async launch(options: RendererOptions): Promise<JsRenderer> {
    let chromium: typeof import('playwright-core').chromium;
    try {
      // Loaded only when asked for: most deployments never render and need no browser.
      ({ chromium } = await import('playwright-core'));
    } catch (error) {
      throw new RenderUnavailableError(error);
    }
    try {
      const browser = await chromium.launch({
        executablePath: options.executablePath,
        args: CHROMIUM_ARGS,
        timeout: options.timeoutMs,
      });
      return new JsRenderer(browser, options);
    } catch (error) {
      throw new RenderUnavailableError(error);
    }
  }

  /** The page's HTML after its scripts ran. Rejects on timeout (error name 'TimeoutError'). */
  async render(document: { url: string; status: number; contentType: string; body: Buffer }) {
    const context = await this.browser.newContext({
      serviceWorkers: 'block',
      userAgent: USER_AGENT,
    });
    try {
      const page = await context.newPage();
      let documentServed = false;
      await page.route('**/*', (route) => {
        const serveDocument = !documentServed && route.request().isNavigationRequest();
        if (serveDocument) documentServed = true;
        const handled = serveDocument
          ? route.fulfill({
              status: document.status,
              contentType: document.contentType,
              body: document.body,
            })
          : this.handleRequest(route);
        // The page may be closed while a request is in flight; that request no longer matters.
        handled.catch(() => undefined);
      });
      await page.goto(document.url, { waitUntil: 'load', timeout: this.options.timeoutMs });
      await page
        .waitForLoadState('networkidle', { timeout: Math.min(SETTLE_MS, this.options.timeoutMs) })
        .catch(() => undefined); // a page that keeps polling is read as it is by then
      return await page.content();
    } finally {
      await context.close();
    }
  }

  async close(): Promise<void> {
    await this.browser.close();
  }

  private async handleRequest(route: Route): Promise<void> {
    const request = route.request();
    const url = request.url();
    if (SKIPPED_RESOURCES.has(request.resourceType()) || !this.options.allowRequest(url)) {
      return route.abort('blockedbyclient');
    }
    const result = await this.options.fetch(url);
    if (result.kind !== 'ok') return route.abort('failed');
    const contentType = result.headers['content-type'];
    return route.fulfill({
      status: result.status,
      body: result.body,
      ...(contentType ? { contentType } : {}),
    });
  }
}
