/**
 * The answer-quality evaluation sets in `backend/test/eval/`: small fictional websites written for
 * this project (HTML pages inside each site's own layout, with its navigation, footer and cookie
 * banner) and the questions asked of them, each with the fact a right answer contains. Loaded by
 * `npm run bench:answers` and by the unit tests that check answers on real extracted pages.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { join, relative, sep } from 'node:path';

/** Where the sets live, from `src/bench` (ts-jest) and from `dist/bench` (the built bench) alike. */
export const EVAL_DIR = join(__dirname, '..', '..', 'test', 'eval');

/** `dev` questions may be looked at while improving answers; `heldout` ones only measured. */
export type Split = 'dev' | 'heldout';

interface Expectation {
  /** Case-insensitive substring a right answer contains. */
  fact?: string;
  /** Or a case-insensitive regular expression it matches. */
  factRegex?: string;
}

export interface FactQuestion extends Expectation {
  id: string;
  split: Split;
  question: string;
  /** Paths of the pages that hold the fact: citing any of them is citing the right page. */
  pages: string[];
  /** The question's language when it is not English. */
  language?: string;
}

export interface FollowUp extends Expectation {
  id: string;
  split: Split;
  /** The first question, then the follow-up that leaves its topic out. */
  turns: [string, string];
  /** The follow-up asked on its own, with its topic: the baseline the follow-up is compared to. */
  standalone: string;
  pages: string[];
}

export interface Unanswerable {
  id: string;
  split: Split;
  question: string;
}

export interface PageAware extends Expectation {
  id: string;
  split: Split;
  /** The page the widget is on when the visitor asks. */
  page: string;
  title: string;
  question: string;
}

export interface EvalSite {
  /** The folder name: `kayak`, `docs`, … */
  id: string;
  name: string;
  kind: string;
  /** A site kept out of tuning altogether: all its questions are held out. */
  heldOut: boolean;
  /** URL path → the full HTML page. */
  pages: Map<string, string>;
  facts: FactQuestion[];
  followups: FollowUp[];
  unanswerable: Unanswerable[];
  pageAware: PageAware[];
}

/** The sets' folder names, in a fixed order. */
export function evalSiteIds(): string[] {
  return readdirSync(EVAL_DIR, { withFileTypes: true })
    .filter(
      (entry) => entry.isDirectory() && existsSync(join(EVAL_DIR, entry.name, 'questions.json')),
    )
    .map((entry) => entry.name)
    .sort();
}

/** The URL path a page file is served at: `tours/sea-caves.html` → `/tours/sea-caves`. */
function pathOf(file: string): string {
  const path = `/${file
    .split(sep)
    .join('/')
    .replace(/\.html$/, '')}`;
  return path.endsWith('/index') ? path.slice(0, -'index'.length) : path;
}

const META = /^\s*<!--\s*(\w+):\s*(.*?)\s*-->\s*\n/;

/** A page fragment in its site's layout: the fragment's leading comments set its title and language. */
function renderPage(layout: string, fragment: string, path: string): string {
  const meta: Record<string, string> = { lang: 'en', title: path };
  let content = fragment;
  for (let match = META.exec(content); match; match = META.exec(content)) {
    meta[match[1] ?? ''] = match[2] ?? '';
    content = content.slice(match[0].length);
  }
  const values: Record<string, string> = { ...meta, path, content };
  return layout.replace(/\{\{(\w+)\}\}/g, (whole, name: string) => values[name] ?? whole);
}

export function loadEvalSite(id: string): EvalSite {
  const root = join(EVAL_DIR, id);
  const layout = readFileSync(join(root, 'layout.html'), 'utf8');
  const pagesDir = join(root, 'pages');
  const pages = new Map<string, string>();
  const files = readdirSync(pagesDir, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.html'))
    .sort();
  for (const file of files) {
    const path = pathOf(relative(pagesDir, join(pagesDir, file)));
    pages.set(path, renderPage(layout, readFileSync(join(pagesDir, file), 'utf8'), path));
  }
  const questions = JSON.parse(readFileSync(join(root, 'questions.json'), 'utf8')) as Omit<
    EvalSite,
    'id' | 'pages' | 'heldOut'
  > & { heldOut?: boolean };
  return { ...questions, id, heldOut: questions.heldOut ?? false, pages };
}

/** Whether `answer` states the expected fact. Markdown emphasis and code marks are ignored. */
export function containsFact(answer: string, expected: Expectation): boolean {
  const plain = answer.replace(/\*\*|__|`/g, '').replace(/\s+/g, ' ');
  const texts = [answer.replace(/\s+/g, ' '), plain];
  if (expected.factRegex !== undefined) {
    const pattern = new RegExp(expected.factRegex, 'iu');
    return texts.some((text) => pattern.test(text));
  }
  const fact = (expected.fact ?? '').toLowerCase();
  return texts.some((text) => text.toLowerCase().includes(fact));
}

/** Serves a site's pages over HTTP on 127.0.0.1, as a real web server would, for the crawler. */
export function serveEvalSite(site: EvalSite): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const page = site.pages.get(path) ?? site.pages.get(path.replace(/\/$/, ''));
    if (page === undefined) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}`,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}
