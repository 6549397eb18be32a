/**
 * `npm run bench:answers -- [--split dev|heldout|all] [--site ID]… [--verbose]`
 *
 * Answer quality end to end, on the evaluation sites of `backend/test/eval/`. For each site: its
 * pages are served over HTTP on 127.0.0.1 and crawled by the real crawler (`lorechat ingest`) into
 * a fresh data directory; the real server is started on that index with the configuration in the
 * environment (LLM_PROVIDER and the rest: extractive by default); and every question is asked as
 * the widget asks it, over Socket.IO with a visitor token. Prints a table per split, the failures
 * with `--verbose`, and one JSON line per split, the dev split's last.
 *
 * - `fact_accuracy`: fact questions whose answer states the expected fact.
 * - `right_page_rate`: fact questions whose answer cites a page holding the fact.
 * - `followup_vs_single`: how often a follow-up that leaves its topic out ("how much is it?")
 *   cites the right page, divided by how often the same question asked alone with its topic does.
 * - `refusal_accuracy`: questions the site does not answer that get the not-found answer.
 * - `false_refusal_rate`: answerable questions that get it.
 * - `median_answer_chars`: the median length of the fact questions' answers.
 * - `page_aware_accuracy`: questions asked on a page ("what does this cost?") answered right.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { type NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../app.factory';
import { ingest } from '../cli';
import { loadConfig } from '../config/app-config';
import {
  type AckResponse,
  type AskAccepted,
  type DonePayload,
  type Source,
} from '@lorechat/contracts';
import {
  containsFact,
  type EvalSite,
  evalSiteIds,
  loadEvalSite,
  serveEvalSite,
  type Split,
} from './eval-sets';
import { percentile } from './beir';
import { type ChatSocket, connectVisitor } from './bench-visitor';

const ANSWER_TIMEOUT_MS = 60_000;

/** What a visitor received for one question. */
interface Received {
  text: string;
  sources: Source[];
  done?: DonePayload & { outcome?: string };
  error?: string;
}

/**
 * One visitor: a real socket.io-client connection authenticated as the widget's is. Events are
 * recorded from the moment it connects, since an answer's first tokens can arrive before its ack.
 */
class Visitor {
  private readonly answers = new Map<string, Received>();
  private readonly waiters = new Map<string, () => void>();

  private constructor(private readonly socket: ChatSocket) {
    socket.on('token', ({ messageId, text }) => {
      this.answer(messageId).text += text;
    });
    socket.on('sources', ({ messageId, sources }) => {
      this.answer(messageId).sources = sources;
    });
    socket.on('done', (done) => {
      this.answer(done.messageId).done = done;
      this.waiters.get(done.messageId)?.();
    });
    socket.on('error', (error) => {
      if (!error.messageId) return;
      this.answer(error.messageId).error = `${error.code}: ${error.message}`;
      this.waiters.get(error.messageId)?.();
    });
  }

  private answer(messageId: string): Received {
    let received = this.answers.get(messageId);
    if (!received) {
      received = { text: '', sources: [] };
      this.answers.set(messageId, received);
    }
    return received;
  }

  static async connect(url: string): Promise<Visitor> {
    return new Visitor(await connectVisitor(url));
  }

  /** Asks and waits for the whole answer; returns it with its conversation id. */
  async ask(payload: {
    text: string;
    conversationId?: string;
    page?: { url: string; title: string };
  }): Promise<Received & { conversationId?: string }> {
    const ack = (await this.socket
      .timeout(ANSWER_TIMEOUT_MS)
      .emitWithAck('ask', payload)) as AckResponse<AskAccepted>;
    if (!ack.ok) return { text: '', sources: [], error: `${ack.error.code}: ${ack.error.message}` };
    const received = this.answer(ack.messageId);
    if (!received.done && !received.error) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          received.error = 'timed out';
          resolve();
        }, ANSWER_TIMEOUT_MS);
        this.waiters.set(ack.messageId, () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    this.waiters.delete(ack.messageId);
    this.answers.delete(ack.messageId);
    return { ...received, conversationId: ack.conversationId };
  }

  close(): void {
    this.socket.disconnect();
  }
}

/** The answer says the site does not cover the question (the `done` outcome, when sent). */
function isNotFound(received: Received): boolean {
  if (received.done?.outcome !== undefined) return received.done.outcome === 'not_found';
  return /couldn't find|could not find|does(?:n't| not) say/i.test(received.text);
}

/** The paths of the pages the answer's markers [n] cite. */
function citedPaths(received: Received): Set<string> {
  const paths = new Set<string>();
  for (const match of received.text.matchAll(/\[(\d+)\]/g)) {
    const source = received.sources[Number(match[1]) - 1];
    if (source) paths.add(new URL(source.url).pathname);
  }
  return paths;
}

const citesAny = (received: Received, pages: string[]) => {
  const cited = citedPaths(received);
  return pages.some((page) => cited.has(page));
};

interface CaseResult {
  id: string;
  split: Split;
  kind: 'fact' | 'followup' | 'standalone' | 'unanswerable' | 'page';
  question: string;
  language?: string;
  correct: boolean;
  rightPage?: boolean;
  notFound: boolean;
  chars: number;
  answer: string;
}

/** Crawls the site into a fresh data directory, starts the server on it, asks every question. */
async function evaluateSite(site: EvalSite, splits: Set<Split>): Promise<CaseResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), `lorechat-answers-${site.id}-`));
  const served = await serveEvalSite(site);
  let app: NestExpressApplication | undefined;
  const results: CaseResult[] = [];
  const quiet = { isTTY: false, write: () => true } as unknown as NodeJS.WriteStream;
  try {
    const env = {
      ...process.env,
      LORECHAT_DATA_DIR: dataDir,
      LORECHAT_DOCS_DIR: '',
      LOG_LEVEL: 'error',
      METRICS_ENABLED: 'false',
    };
    const args = ['--site', `${served.url}/`, '--allow-private-network', '--delay-ms', '0'];
    const code = await ingest([...args, '--json'], env, { stdout: quiet, stderr: quiet });
    // 2: some pages failed (a broken link, as real sites have); 1: the crawl could not run.
    if (code === 1) throw new Error(`crawling ${site.id} failed`);
    const config = loadConfig({
      ...env,
      PUBLIC_URL: 'http://lorechat.bench',
      RESPONSE_CACHE_ENABLED: 'false',
      QUOTA_QUESTIONS_PER_MINUTE: '0',
      QUOTA_TOKENS_PER_DAY: '0',
      QUOTA_IP_QUESTIONS_PER_MINUTE: '0',
      QUOTA_IP_TOKENS_PER_DAY: '0',
      SITE_TOKENS_PER_DAY: '0',
    });
    app = await createApp(config);
    await app.listen(0, '127.0.0.1');
    const visitor = await Visitor.connect(await app.getUrl());
    const wanted = <T extends { split: Split }>(items: T[]) =>
      items.filter((item) => splits.has(item.split));
    const record = (
      base: Pick<CaseResult, 'id' | 'split' | 'kind' | 'question' | 'language'>,
      received: Received,
      expected: Parameters<typeof containsFact>[1] | undefined,
      pages?: string[],
    ) => {
      const notFound = isNotFound(received);
      const answer = received.error ? `(error ${received.error})` : received.text;
      results.push({
        ...base,
        correct: expected ? !notFound && containsFact(received.text, expected) : notFound,
        rightPage: pages ? citesAny(received, pages) : undefined,
        notFound,
        chars: received.text.length,
        answer,
      });
    };

    for (const fact of wanted(site.facts)) {
      const received = await visitor.ask({ text: fact.question });
      record({ ...fact, kind: 'fact' }, received, fact, fact.pages);
    }
    for (const followup of wanted(site.followups)) {
      const first = await visitor.ask({ text: followup.turns[0] });
      const second = await visitor.ask({
        text: followup.turns[1],
        conversationId: first.conversationId,
      });
      const question = `${followup.turns[0]} → ${followup.turns[1]}`;
      record({ ...followup, kind: 'followup', question }, second, followup, followup.pages);
      const alone = await visitor.ask({ text: followup.standalone });
      record(
        { ...followup, kind: 'standalone', question: followup.standalone },
        alone,
        followup,
        followup.pages,
      );
    }
    for (const question of wanted(site.unanswerable)) {
      const received = await visitor.ask({ text: question.question });
      record({ ...question, kind: 'unanswerable' }, received, undefined);
    }
    for (const question of wanted(site.pageAware)) {
      const received = await visitor.ask({
        text: question.question,
        page: { url: `${served.url}${question.page}`, title: question.title },
      });
      record({ ...question, kind: 'page' }, received, question, [question.page]);
    }
    visitor.close();
    return results;
  } finally {
    await app?.close();
    await served.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const ratio = (part: number, whole: number) =>
  whole === 0 ? null : Number((part / whole).toFixed(3));
const share = (items: CaseResult[], test: (item: CaseResult) => boolean) =>
  ratio(items.filter(test).length, items.length);

function summarize(split: Split, sites: string[], results: CaseResult[]) {
  const of = (kind: CaseResult['kind']) => results.filter((result) => result.kind === kind);
  const facts = of('fact');
  const followups = of('followup');
  const standalone = of('standalone');
  const followupPages = share(followups, (result) => result.rightPage === true);
  const standalonePages = share(standalone, (result) => result.rightPage === true);
  const lengths = facts.map((result) => result.chars).sort((left, right) => left - right);
  return {
    split,
    sites: sites.join(','),
    provider: process.env.LLM_PROVIDER ?? 'extractive',
    fact_questions: facts.length,
    fact_accuracy: share(facts, (result) => result.correct),
    fact_accuracy_english: share(
      facts.filter((result) => !result.language),
      (result) => result.correct,
    ),
    fact_accuracy_other_languages: share(
      facts.filter((result) => result.language),
      (result) => result.correct,
    ),
    right_page_rate: share(facts, (result) => result.rightPage === true),
    followups: followups.length,
    followup_right_page: followupPages,
    standalone_right_page: standalonePages,
    followup_vs_single:
      followupPages === null || !standalonePages
        ? null
        : Number((followupPages / standalonePages).toFixed(3)),
    followup_fact_accuracy: share(followups, (result) => result.correct),
    unanswerable: of('unanswerable').length,
    refusal_accuracy: share(of('unanswerable'), (result) => result.correct),
    false_refusal_rate: share([...facts, ...standalone], (result) => result.notFound),
    page_aware_accuracy: share(of('page'), (result) => result.correct),
    median_answer_chars: lengths.length ? Math.round(percentile(lengths, 0.5)) : null,
    p90_answer_chars: lengths.length ? Math.round(percentile(lengths, 0.9)) : null,
  };
}

function printFailures(results: CaseResult[]): void {
  for (const result of results) {
    const pageMissed = result.kind !== 'unanswerable' && result.rightPage === false;
    if (result.correct && !pageMissed) continue;
    const verdict = result.correct ? 'wrong page' : 'WRONG';
    console.log(`\n[${verdict}] ${result.id} (${result.kind}) ${result.question}`);
    console.log(`  ${result.answer.replace(/\n+/g, '\n  ')}`);
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      split: { type: 'string', default: 'all' },
      site: { type: 'string', multiple: true },
      verbose: { type: 'boolean', default: false },
    },
  });
  const splitOption = values.split;
  if (!['dev', 'heldout', 'all'].includes(splitOption)) {
    throw new Error(`--split must be dev, heldout or all, not "${splitOption}"`);
  }
  const splits = new Set<Split>(
    splitOption === 'all' ? ['dev', 'heldout'] : [splitOption as Split],
  );
  const ids = values.site ?? evalSiteIds();
  const results = new Map<string, CaseResult[]>();
  for (const id of ids) results.set(id, await evaluateSite(loadEvalSite(id), splits));
  // Held out first: the last line is the dev split's, the one the targets are set on.
  const lines: object[] = [];
  for (const split of (['heldout', 'dev'] as const).filter((item) => splits.has(item))) {
    const sites = ids.filter((id) => results.get(id)?.some((result) => result.split === split));
    const inSplit = [...results.values()].flat().filter((result) => result.split === split);
    if (values.verbose) printFailures(inSplit);
    const summary = summarize(split, sites, inSplit);
    console.log(`\n${split} split`);
    console.table(Object.entries(summary).map(([metric, value]) => ({ metric, value })));
    lines.push(summary);
  }
  for (const line of lines) console.log(JSON.stringify(line));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
