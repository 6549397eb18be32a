import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { collapse, type DomElement, type DomNode, elementToMarkdown } from './html-to-markdown';
import { normalizeUrl } from '../../common/url-normalizer';

interface DomDocument {
  documentElement: DomElement | null;
  body: DomElement | null;
  title: string;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
}

/** What a crawler needs from an HTML page. */
export interface ExtractedHtml {
  title: string;
  /** Primary language subtag (`en`, `de`) from `<html lang>` or Content-Language. */
  language?: string;
  /** Normalised absolute canonical URL from `<link rel=canonical>`. */
  canonical?: string;
  /** Main content as Markdown-ish text: `#` headings, paragraphs, `-` list items. */
  markdown: string;
  /** Normalised absolute URLs of links the page lets us follow. */
  links: string[];
  noindex: boolean;
  nofollow: boolean;
}

export interface RobotsDirectives {
  noindex: boolean;
  nofollow: boolean;
}

/**
 * Reads robots meta content or X-Robots-Tag values. A value may name an agent (`LoreChat: noindex`);
 * directives for other agents are ignored.
 */
export function robotsDirectives(values: string[], agent: string): RobotsDirectives {
  const result = { noindex: false, nofollow: false };
  for (const value of values) {
    const named = /^\s*([\w-]+)\s*:\s*(.*)$/.exec(value);
    let directives = value;
    if (named && !/^(noindex|nofollow|none|all|max-\w+|unavailable_after)$/i.test(named[1] ?? '')) {
      if ((named[1] ?? '').toLowerCase() !== agent.toLowerCase()) continue;
      directives = named[2] ?? '';
    }
    for (const directive of directives.toLowerCase().split(/[\s,]+/)) {
      if (directive === 'noindex' || directive === 'none') result.noindex = true;
      if (directive === 'nofollow' || directive === 'none') result.nofollow = true;
    }
  }
  return result;
}

/** Never content: scripts, styles, embedded apps, controls, and the site's chrome around the article. */
const NON_CONTENT =
  'script, style, noscript, template, iframe, object, embed, svg, canvas, nav, footer, ' +
  'header nav, aside, form, button, select, dialog, [hidden], [aria-hidden="true"], [role="navigation"], ' +
  '[role="contentinfo"], [role="banner"] nav';
const HIDDEN_STYLE = /(^|;)\s*(display\s*:\s*none|visibility\s*:\s*hidden)/i;
/** Consent and cookie banners, by the ids and classes the common banner scripts use. */
const BANNER =
  /(^|[\s_-])(cookie|cookies|consent|gdpr|cmp|cc-window|onetrust|cookiebot)([\s_-]|$)/i;
/**
 * Chrome that sites mark only by class or id: promotion bars, newsletter boxes, breadcrumbs, side
 * bars, share buttons. A class name says less than a tag, so such an element is dropped only when
 * it holds a small part of the page's text: a layout's `content-with-sidebar` wrapper is kept.
 */
const CHROME =
  /(^|[\s_-])(promo|promo-bar|announcement|newsletter|breadcrumbs?|sidebar|skip-link|share|social)([\s_-]|$)/i;
const CHROME_MAX_SHARE = 0.25;
const KEPT_CONTAINERS = new Set(['HTML', 'BODY', 'MAIN', 'ARTICLE']);

function dropNonContent(document: DomDocument): void {
  for (const element of Array.from(document.querySelectorAll(NON_CONTENT))) element.remove();
  const pageText = collapse(document.body?.textContent).length;
  for (const element of Array.from(document.querySelectorAll('[style], [id], [class]'))) {
    const hidden = HIDDEN_STYLE.test(element.getAttribute('style') ?? '');
    const names = `${element.id} ${element.className}`;
    const kept = KEPT_CONTAINERS.has(element.tagName.toUpperCase());
    const banner = !kept && BANNER.test(names);
    const chrome =
      !kept &&
      CHROME.test(names) &&
      collapse(element.textContent).length <= pageText * CHROME_MAX_SHARE;
    if (hidden || banner || chrome) element.remove();
  }
}

/**
 * Where the page's own content is. A page that marks it (`<main>`, `role="main"`) is taken at its
 * word. Otherwise Mozilla's Readability (the Firefox Reader View algorithm) finds it, unless what it
 * finds is a small part of the page's text: Readability scores paragraphs, and passes over content
 * without them (a FAQ written as a definition list, a page of tables) for a stray banner.
 */
function mainContent(document: DomDocument): DomNode | undefined {
  const marked = Array.from(document.querySelectorAll('main, [role="main"]'));
  if (marked.length === 1 && collapse(marked[0]?.textContent)) return marked[0];
  const bodyText = collapse(document.body?.textContent).length;
  const article = new Readability<DomNode>(document, {
    charThreshold: 100,
    // Hands back the content element itself, so it is walked without re-parsing serialised HTML.
    serializer: (node): DomNode => node as DomNode,
  }).parse();
  const found = article?.content;
  if (found && collapse(found.textContent).length >= bodyText * MIN_READABILITY_SHARE) return found;
  return document.body ?? undefined;
}

/** Below this share of the page's text, Readability's pick is taken for a miss (see mainContent). */
const MIN_READABILITY_SHARE = 0.4;

function primaryLanguage(tag: string | null | undefined): string | undefined {
  const primary = tag
    ?.trim()
    .split(/[-_,;\s]/)[0]
    ?.toLowerCase();
  return primary && /^[a-z]{2,3}$/.test(primary) ? primary : undefined;
}

/**
 * Extracts a page's main content (see `mainContent`) as Markdown, after removing what a visitor
 * never reads: scripts, hidden elements, navigation, footers, cookie banners and other chrome.
 * Links, canonical, language and robots directives are read first, from the whole page, because
 * Readability rewrites the document.
 */
export function extractHtml(
  html: string,
  pageUrl: string,
  headers: { contentLanguage?: string; robotsTags: string[]; agent: string },
): ExtractedHtml {
  // linkedom's types describe a browser Window, which this DOM-less build cannot resolve.
  const window = parseHTML(html) as unknown as { document: DomDocument };
  const document = window.document;
  const base = normalizeUrl(
    document.querySelector('base[href]')?.getAttribute('href') ?? '',
    pageUrl,
  );
  const linkBase = base ?? pageUrl;
  const metaRobots = Array.from(document.querySelectorAll('meta[name]'))
    .filter((meta) => {
      const name = meta.getAttribute('name')?.toLowerCase();
      return name === 'robots' || name === headers.agent.toLowerCase();
    })
    .map((meta) => meta.getAttribute('content') ?? '');
  const directives = robotsDirectives([...metaRobots, ...headers.robotsTags], headers.agent);

  const canonicalHref = document
    .querySelector('link[rel~="canonical"][href]')
    ?.getAttribute('href');
  const canonical = canonicalHref ? normalizeUrl(canonicalHref, linkBase) : undefined;
  const language =
    primaryLanguage(document.documentElement?.getAttribute('lang')) ??
    primaryLanguage(headers.contentLanguage);

  const links = new Set<string>();
  if (!directives.nofollow) {
    for (const anchor of Array.from(document.querySelectorAll('a[href]'))) {
      if (/\bnofollow\b/i.test(anchor.getAttribute('rel') ?? '')) continue;
      const link = normalizeUrl(anchor.getAttribute('href') ?? '', linkBase);
      if (link) links.add(link);
    }
  }
  const pageTitle =
    collapse(document.title) || collapse(document.querySelector('h1')?.textContent ?? '');

  dropNonContent(document);
  const content = mainContent(document);
  const markdown = content ? elementToMarkdown(content, linkBase) : '';
  const title = pageTitle || new URL(pageUrl).pathname;
  return { title, language, canonical, markdown, links: [...links], ...directives };
}
