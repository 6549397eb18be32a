import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { normalizeUrl } from './url-normalizer';

/*
 * The few DOM members the extractor uses. The backend compiles without the DOM library (it runs in
 * Node), so linkedom's document is described here rather than typed as a browser Document.
 */
interface DomNode {
  nodeType: number;
  textContent: string | null;
  childNodes: ArrayLike<DomNode>;
}
interface DomElement extends DomNode {
  tagName: string;
  id: string;
  className: string;
  getAttribute(name: string): string | null;
  remove(): void;
}
interface DomDocument {
  documentElement: DomElement | null;
  body: DomElement | null;
  title: string;
  querySelector(selector: string): DomElement | null;
  querySelectorAll(selector: string): ArrayLike<DomElement>;
}

const ELEMENT_NODE = 1;
const TEXT_NODE = 3;

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

/** Never content: scripts, styles, embedded apps, and the site's chrome around the article. */
const NON_CONTENT =
  'script, style, noscript, template, iframe, object, embed, svg, canvas, nav, footer, ' +
  'header nav, aside, form, dialog, [hidden], [aria-hidden="true"], [role="navigation"], ' +
  '[role="contentinfo"], [role="banner"] nav';
const HIDDEN_STYLE = /(^|;)\s*(display\s*:\s*none|visibility\s*:\s*hidden)/i;
/** Consent and cookie banners, by the ids and classes the common banner scripts use. */
const BANNER =
  /(^|[\s_-])(cookie|cookies|consent|gdpr|cmp|cc-window|onetrust|cookiebot)([\s_-]|$)/i;
const KEPT_CONTAINERS = new Set(['HTML', 'BODY', 'MAIN', 'ARTICLE']);

function dropNonContent(document: DomDocument): void {
  for (const element of Array.from(document.querySelectorAll(NON_CONTENT))) element.remove();
  for (const element of Array.from(document.querySelectorAll('[style], [id], [class]'))) {
    const hidden = HIDDEN_STYLE.test(element.getAttribute('style') ?? '');
    const banner =
      !KEPT_CONTAINERS.has(element.tagName.toUpperCase()) &&
      BANNER.test(`${element.id} ${element.className}`);
    if (hidden || banner) element.remove();
  }
}

const collapse = (text: string | null | undefined): string =>
  (text ?? '').replace(/\s+/g, ' ').trim();

const BLOCKS = new Set([
  'p',
  'div',
  'section',
  'article',
  'main',
  'blockquote',
  'ul',
  'ol',
  'dl',
  'dt',
  'dd',
  'table',
  'tr',
  'figure',
  'figcaption',
  'details',
  'summary',
  'address',
  'hr',
]);

/** Turns content elements into Markdown-ish text that the heading-aware chunker understands. */
export function elementToMarkdown(root: DomNode): string {
  const blocks: string[] = [];
  let line = '';
  const flush = () => {
    const text = collapse(line);
    if (text) blocks.push(text);
    line = '';
  };
  const walk = (node: DomNode): void => {
    if (node.nodeType === TEXT_NODE) {
      line += node.textContent ?? '';
      return;
    }
    if (node.nodeType !== ELEMENT_NODE) return;
    const element = node as DomElement;
    const tag = element.tagName.toLowerCase();
    const heading = /^h([1-6])$/.exec(tag);
    if (heading) {
      flush();
      const text = collapse(element.textContent);
      if (text) blocks.push(`${'#'.repeat(Number(heading[1]))} ${text}`);
      return;
    }
    if (tag === 'pre') {
      flush();
      const code = (element.textContent ?? '').replace(/\s+$/, '');
      if (code.trim()) blocks.push(`\`\`\`\n${code}\n\`\`\``);
      return;
    }
    if (tag === 'br') return flush();
    if (tag === 'li') {
      flush();
      const first = blocks.length;
      Array.from(element.childNodes).forEach(walk);
      flush();
      if (blocks.length > first) blocks[first] = `- ${blocks[first] ?? ''}`;
      return;
    }
    if (tag === 'td' || tag === 'th') {
      line += ' ';
      Array.from(element.childNodes).forEach(walk);
      line += ' |';
      return;
    }
    const block = BLOCKS.has(tag);
    if (block) flush();
    Array.from(element.childNodes).forEach(walk);
    if (block) flush();
  };
  walk(root);
  flush();
  return blocks.join('\n\n');
}

function primaryLanguage(tag: string | null | undefined): string | undefined {
  const primary = tag
    ?.trim()
    .split(/[-_,;\s]/)[0]
    ?.toLowerCase();
  return primary && /^[a-z]{2,3}$/.test(primary) ? primary : undefined;
}

/**
 * Extracts a page's main content with Mozilla's Readability (the Firefox Reader View algorithm),
 * after removing what a visitor never reads: scripts, hidden elements, navigation, footers and
 * cookie banners. Links, canonical, language and robots directives are read first, from the
 * whole page, because Readability rewrites the document.
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
  const article = new Readability<DomNode>(document, {
    charThreshold: 100,
    // Hands back the content element itself, so it is walked without re-parsing serialised HTML.
    serializer: (node): DomNode => node as DomNode,
  }).parse();
  let markdown = article?.content ? elementToMarkdown(article.content) : '';
  // Readability gives up on pages with little prose (a short FAQ, a contact page); their visible
  // body is still what the visitor reads.
  if (!markdown && document.body) markdown = elementToMarkdown(document.body);
  const title = pageTitle || collapse(article?.title) || new URL(pageUrl).pathname;
  return { title, language, canonical, markdown, links: [...links], ...directives };
}
