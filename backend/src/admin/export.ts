import { type Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { type ConversationLogStore } from '../analytics/conversation-log.store';
import { type LoggedAnswer } from '../analytics/log-record';

const PAGE = 1000;

export const CSV_COLUMNS = [
  'asked_at',
  'conversation_id',
  'message_id',
  'visitor_id',
  'site_key',
  'page_url',
  'page_title',
  'locale',
  'question',
  'answer',
  'outcome',
  'error_code',
  'rating',
  'comment',
  'cited_urls',
  'provider',
  'model',
  'input_tokens',
  'output_tokens',
  'cost_usd',
  'first_token_ms',
  'total_ms',
  'cached',
] as const;

/**
 * A spreadsheet runs a cell that starts with = + - @ (or a tab or carriage return) as a formula:
 * a visitor's question must not. Such cells get a leading apostrophe (OWASP's CSV injection advice).
 */
function inert(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

function csvRow(answer: LoggedAnswer): string[] {
  const cells: Record<(typeof CSV_COLUMNS)[number], string | number | undefined> = {
    asked_at: new Date(answer.askedAt).toISOString(),
    conversation_id: answer.conversationId,
    message_id: answer.messageId,
    visitor_id: answer.visitorId,
    site_key: answer.siteKey,
    page_url: answer.page?.url,
    page_title: answer.page?.title,
    locale: answer.locale,
    question: answer.question,
    answer: answer.answer,
    outcome: answer.outcome,
    error_code: answer.errorCode,
    rating: answer.rating,
    comment: answer.comment,
    cited_urls: answer.sources
      .filter((source) => source.cited)
      .map((source) => source.url)
      .join(' '),
    provider: answer.provider,
    model: answer.model,
    input_tokens: answer.inputTokens,
    output_tokens: answer.outputTokens,
    cost_usd: answer.costUsd,
    first_token_ms: answer.firstTokenMs,
    total_ms: answer.totalMs,
    cached: answer.cached ? 'true' : 'false',
  };
  return CSV_COLUMNS.map((column) => {
    const value = cells[column];
    return value === undefined ? '' : typeof value === 'number' ? String(value) : inert(value);
  });
}

/**
 * Writes every answer of [since, until) to `out`, a thousand at a time, as CSV (a header row,
 * then one row per answer) or as one JSON array; ends `out`.
 */
export async function writeExport(
  store: ConversationLogStore,
  format: 'csv' | 'json',
  since: number,
  until: number,
  out: Writable,
): Promise<void> {
  const write = (text: string) =>
    out.write(text)
      ? Promise.resolve()
      : new Promise<void>((resolve) => out.once('drain', resolve));
  if (format === 'csv') await write(stringify([[...CSV_COLUMNS]]));
  else await write('[');
  let after: { askedAt: number; messageId: string } | undefined;
  let first = true;
  for (;;) {
    const page = await store.answers(since, until, PAGE, after);
    if (format === 'csv') {
      if (page.length) await write(stringify(page.map(csvRow)));
    } else {
      for (const answer of page) {
        await write(`${first ? '' : ','}\n${JSON.stringify(answer)}`);
        first = false;
      }
    }
    const last = page.at(-1);
    if (!last || page.length < PAGE) break;
    after = { askedAt: last.askedAt, messageId: last.messageId };
  }
  if (format === 'json') await write('\n]\n');
  out.end();
}
