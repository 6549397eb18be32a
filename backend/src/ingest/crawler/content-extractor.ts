import { type IncomingHttpHeaders } from 'node:http';
import { markdownTitle } from '../markdown-chunker';
import { ROBOTS_AGENT } from './fetcher';
import { extractHtml, robotsDirectives } from './html-extractor';
import { pdfText } from './pdf-text';
import { type SkipReason } from './skip-reason';

/** A fetched document reduced to what is indexed and what is followed. */
export interface ExtractedPage {
  title: string;
  language?: string;
  canonical?: string;
  markdown: string;
  links: string[];
  noindex: boolean;
  nofollow: boolean;
}

export type Extraction =
  { kind: 'page'; page: ExtractedPage } | { kind: 'skip'; reason: SkipReason; detail: string };

type ContentKind = 'html' | 'markdown' | 'text' | 'pdf';

const KINDS: Record<string, ContentKind> = {
  'text/html': 'html',
  'application/xhtml+xml': 'html',
  'text/markdown': 'markdown',
  'text/x-markdown': 'markdown',
  'text/plain': 'text',
  'application/pdf': 'pdf',
};

/** The content kind from Content-Type, or sniffed from the bytes when the server sends none. */
function contentKind(mime: string, body: Buffer, url: string): ContentKind | undefined {
  if (mime) {
    const kind = KINDS[mime];
    // Many servers send Markdown files as text/plain.
    if (kind === 'text' && /\.(md|markdown)$/i.test(new URL(url).pathname)) return 'markdown';
    return kind;
  }
  if (body.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  if (/^\s*</.test(body.subarray(0, 256).toString('utf8'))) return 'html';
  return 'text';
}

function decodeText(body: Buffer, contentType: string): string {
  const charset = /charset\s*=\s*"?([\w-]+)/i.exec(contentType)?.[1] ?? 'utf-8';
  try {
    return new TextDecoder(charset).decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}

function headerValues(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/** The last path segment, readable: the title of a text file or PDF that names none. */
function titleFromUrl(url: string): string {
  const segment = new URL(url).pathname.split('/').filter(Boolean).pop();
  return segment ? decodeURIComponent(segment) : new URL(url).host;
}

/** PDF.js gets this long per document before the page is reported as a parse error. */
const PDF_TIMEOUT_MS = 15_000;

/** Extracts HTML, Markdown, plain text and PDF; anything else is skipped with its type named. */
export async function extractContent(response: {
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}): Promise<Extraction> {
  const { url, headers, body } = response;
  const contentType = headers['content-type'] ?? '';
  const mime = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  const kind = contentKind(mime, body, url);
  if (kind === undefined) return { kind: 'skip', reason: 'content type', detail: mime };
  const robotsTags = headerValues(headers['x-robots-tag']);
  const language = headers['content-language']?.split(/[-,\s]/)[0]?.toLowerCase() || undefined;
  if (kind === 'html') {
    try {
      const page = extractHtml(decodeText(body, contentType), url, {
        contentLanguage: headers['content-language'],
        robotsTags,
        agent: ROBOTS_AGENT,
      });
      return { kind: 'page', page };
    } catch (error) {
      return { kind: 'skip', reason: 'parse error', detail: (error as Error).message };
    }
  }
  const directives = robotsDirectives(robotsTags, ROBOTS_AGENT);
  const base = { language, links: [], ...directives };
  if (kind === 'pdf') {
    try {
      // pdf-parse marks page breaks with "-- 1 of 3 --" lines; they are not content.
      const markdown = (await pdfText(body, PDF_TIMEOUT_MS))
        .replace(/^-- \d+ of \d+ --$/gm, '')
        .trim();
      return { kind: 'page', page: { ...base, title: titleFromUrl(url), markdown } };
    } catch (error) {
      return { kind: 'skip', reason: 'parse error', detail: `PDF: ${(error as Error).message}` };
    }
  }
  const text = decodeText(body, contentType);
  const title = (kind === 'markdown' ? markdownTitle(text) : undefined) ?? titleFromUrl(url);
  return { kind: 'page', page: { ...base, title, markdown: text } };
}
