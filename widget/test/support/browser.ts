/**
 * What the browser suites share: Debian Chromium driven by playwright-core, the real backend
 * answering through its OpenAI provider pointed at the scripted fake (so answers are known in
 * advance), and a site: host pages that embed the built widget with its real snippet.
 *
 * The site is a plain HTTP server on another port, hence another origin than the widget's server,
 * as on a real site. It is a real server rather than Playwright routes because Chromium only lets
 * a page reach a loopback address (the widget's server) from a page it knows to be local too.
 */
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Locator,
  type Page,
} from 'playwright-core';
import { createApp } from '../../../backend/src/app.factory';
import { loadConfig } from '../../../backend/src/config/app-config';
import {
  answerRequests,
  type FakeOpenAi,
  type FakeOpenAiBehaviour,
  type FakeOpenAiRequest,
  startFakeOpenAi,
  withCondense,
} from '../../../backend/test/fakes/openai-server';
import { FIXTURE_DOCS, type RunningApp, startApp } from '../../../backend/test/support/app';

/** Debian's Chromium with the flags it needs in a container and in CI: no sandbox, no GPU, no background traffic. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** The question a request to the fake model asks: the end of its last user message. */
export function questionOf(request: FakeOpenAiRequest): string {
  const last = request.body.messages.at(-1);
  const content = typeof last?.content === 'string' ? last.content : '';
  return /Question: ([\s\S]*)$/.exec(content)?.[1] ?? content;
}

/** A scripted streaming answer, split into tokens as a model would send it. */
export function streamed(text: string, tokenDelayMs = 0): FakeOpenAiBehaviour {
  return { kind: 'stream', tokens: text.match(/\S+\s*|\s+/g) ?? [], tokenDelayMs };
}

/** Serves the host pages the tests put on it; anything else is not found. */
class Site {
  private readonly pages = new Map<string, string>();
  private readonly server: Server;

  private constructor() {
    this.server = createServer((request, response) => {
      const html = this.pages.get(new URL(request.url ?? '/', 'http://site').pathname);
      response.writeHead(html === undefined ? 404 : 200, {
        'content-type': 'text/html; charset=utf-8',
      });
      response.end(html ?? 'not found');
    });
  }

  static async start(): Promise<Site> {
    const site = new Site();
    site.server.listen(0, '127.0.0.1');
    await once(site.server, 'listening');
    return site;
  }

  get origin(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  serve(path: string, html: string): string {
    this.pages.set(path, html);
    return `${this.origin}${path}`;
  }

  async close(): Promise<void> {
    const closed = once(this.server, 'close');
    this.server.close();
    this.server.closeAllConnections();
    await closed;
  }
}

export class Stack {
  private constructor(
    readonly openAi: FakeOpenAi,
    readonly site: Site,
    private running: RunningApp,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** `env` adds to (or overrides) the backend's settings. */
  static async start(env: NodeJS.ProcessEnv = {}): Promise<Stack> {
    const [openAi, site] = await Promise.all([startFakeOpenAi(), Site.start()]);
    const settings = {
      LLM_PROVIDER: 'openai',
      LLM_MODEL: 'gpt-test',
      LLM_BASE_URL: openAi.baseUrl,
      LLM_MAX_RETRIES: '0',
      // elsewhere-site: a site key that exists, whose widget is not allowed on the test site.
      SITES: `test-site=${site.origin};elsewhere-site=https://elsewhere.example`,
      // Tests check what reaches the model; a repeated question must not be answered from cache.
      RESPONSE_CACHE_ENABLED: 'false',
      ...env,
    };
    return new Stack(openAi, site, await startApp(settings), settings);
  }

  /** The widget's server, http://127.0.0.1:<port>. */
  get serverUrl(): string {
    return this.running.url;
  }

  /** Answers every question with `script(question)`. */
  answer(script: (question: string) => FakeOpenAiBehaviour): void {
    // Follow-ups are first rewritten as standalone questions, by the same model.
    this.openAi.setScript(withCondense((request) => script(questionOf(request))));
  }

  /** Every question the model was asked, in order. */
  get questions(): string[] {
    return answerRequests(this.openAi).map(questionOf);
  }

  async stopBackend(): Promise<void> {
    await this.running.stop();
  }

  /**
   * Starts the backend again on the port it had, where the widget keeps reconnecting. startApp
   * always takes a free port, so this builds the app the same way on a fixed one.
   */
  async restartBackend(): Promise<void> {
    const port = Number(new URL(this.running.url).port);
    const dataDir = mkdtempSync(join(tmpdir(), 'lorechat-widget-e2e-'));
    const app = await createApp(
      loadConfig({
        LORECHAT_DATA_DIR: dataDir,
        LORECHAT_DOCS_DIR: FIXTURE_DOCS,
        PUBLIC_URL: 'http://lorechat.test',
        LOG_LEVEL: 'error',
        ...this.env,
      }),
    );
    await app.listen(port, '127.0.0.1');
    this.running = {
      app,
      url: this.running.url,
      stop: async () => {
        await app.close();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }

  async close(): Promise<void> {
    await Promise.all([this.running.stop(), this.openAi.close(), this.site.close()]);
  }
}

export interface HostPage {
  /** Path on the site origin. Default `/`. */
  path?: string;
  /** data-* attributes of the script tag, without the `data-` prefix. */
  options?: Record<string, string>;
  head?: string;
  body?: string;
  /** False for a page of the same site without the widget. Default true. */
  withWidget?: boolean;
}

/** The snippet exactly as site owners paste it, with the given options. */
export function snippet(serverUrl: string, options: Record<string, string> = {}): string {
  const attributes = Object.entries({ 'site-key': 'test-site', ...options })
    .map(([name, value]) => ` data-${name}="${value.replace(/"/g, '&quot;')}"`)
    .join('');
  return `<script src="${serverUrl}/widget.js"${attributes} async></script>`;
}

/** Puts a host page on the site, and returns its URL. */
export function serveHostPage(stack: Stack, page: HostPage = {}): string {
  const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Test site</title>${page.head ?? ''}</head>
<body>${page.body ?? '<main><h1>Test site</h1><p>Some page content.</p></main>'}
${page.withWidget === false ? '' : snippet(stack.serverUrl, page.options)}
</body></html>`;
  return stack.site.serve(page.path ?? '/', html);
}

/** Fails the test if the page reported an uncaught error: the widget must never throw into it. */
export function watchPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

export interface BrowserSuite {
  readonly stack: Stack;
  readonly browser: Browser;
  /** The current test's context (from `newContext`, or made before each test unless `lazy`). */
  readonly context: BrowserContext;
  /** Opens the test's context; its pages must report no uncaught error by the end of the test. */
  newContext(options?: BrowserContextOptions): Promise<BrowserContext>;
}

/**
 * The set-up every browser suite shares: the stack and Chromium started once for the file, and a
 * browser context per test, closed after it, whose pages must throw nothing into the page.
 * `lazy`: each test opens its context with its own options; `prepare` runs on each new context;
 * `check` runs before it closes; `env` adds to the backend's settings.
 */
export function useBrowserSuite({
  env = {},
  contextOptions = {},
  lazy = false,
  prepare,
  check,
}: {
  env?: NodeJS.ProcessEnv;
  contextOptions?: BrowserContextOptions;
  lazy?: boolean;
  prepare?: (context: BrowserContext) => Promise<void>;
  check?: (context: BrowserContext) => Promise<void>;
} = {}): BrowserSuite {
  let stack: Stack | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  let pageErrors: string[] = [];
  const started = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what} is not started: use it inside a test`);
    return value;
  };
  const suite: BrowserSuite = {
    get stack() {
      return started(stack, 'the stack');
    },
    get browser() {
      return started(browser, 'the browser');
    },
    get context() {
      return started(context, 'the context');
    },
    async newContext(options = {}) {
      context = await suite.browser.newContext({ ...contextOptions, ...options });
      pageErrors = [];
      context.on('page', (page) => pageErrors.push(...watchPageErrors(page)));
      await prepare?.(context);
      return context;
    },
  };
  beforeAll(async () => {
    [stack, browser] = await Promise.all([Stack.start(env), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });
  beforeEach(async () => {
    if (!lazy) await suite.newContext();
  });
  afterEach(async () => {
    if (!context) return;
    await check?.(context);
    await context.close();
    context = undefined;
    expect(pageErrors).toEqual([]);
  });
  return suite;
}

/** Opens a host page and waits until the widget is on it. */
export async function openWidgetPage(
  context: BrowserContext,
  stack: Stack,
  hostPage: HostPage = {},
): Promise<Page> {
  const page = await context.newPage();
  await page.goto(serveHostPage(stack, hostPage));
  await page.waitForFunction(() => window.LoreChat !== undefined);
  return page;
}

/** Locators inside the widget (Playwright's CSS and role selectors pierce open shadow roots). */
export function widget(page: Page) {
  return {
    launcher: page.locator('.launcher'),
    panel: page.locator('.panel'),
    input: page.locator('.composer textarea'),
    status: page.locator('.status'),
    stop: page.locator('.stop'),
    turns: page.locator('.turn'),
    turn: (index: number) => page.locator('.turn').nth(index),
    liveRegion: page.locator('[aria-live="polite"]'),
  };
}

/** Types a question in the panel and sends it with Enter. */
export async function ask(page: Page, question: string): Promise<void> {
  const { launcher, panel, input } = widget(page);
  if (!(await panel.isVisible())) await launcher.click();
  await input.fill(question);
  await input.press('Enter');
}

/** Waits until the answer of `turn` has ended: its actions (done, stopped) or its failure. */
export async function answerSettled(turn: Locator): Promise<void> {
  await turn.locator('.actions, .failure').first().waitFor();
}
