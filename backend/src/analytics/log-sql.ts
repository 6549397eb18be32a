/**
 * The SQL both log stores run, written once with `?` placeholders (PostgreSQL's store numbers them).
 * Times are epoch milliseconds and days `YYYY-MM-DD` strings computed when written, so both
 * databases group and compare them the same way.
 */
import {
  type ConversationCursor,
  type ConversationFilter,
  type DayCounts,
  type LoggedConversation,
} from './conversation-log.store';
import {
  type AnswerEntry,
  type AnswerOutcome,
  type CrawlSummary,
  type FeedbackEntry,
  type LoggedAnswer,
  type LoggedSource,
  type Rating,
  utcDay,
} from './log-record';
import { type Dialect, type SqlQuery, type SqlRow as Row } from '../common/sql-query';

export type { Dialect };

export type Query = SqlQuery;

/** The tables, for a database that does not have them yet. Bumped with any change to them. */
export const SCHEMA_VERSION = 1;

export function schema(dialect: Dialect): string[] {
  const bigint = dialect === 'postgres' ? 'BIGINT' : 'INTEGER';
  const real = dialect === 'postgres' ? 'DOUBLE PRECISION' : 'REAL';
  return [
    `CREATE TABLE IF NOT EXISTS log_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
    `CREATE TABLE IF NOT EXISTS answers (
      message_id TEXT PRIMARY KEY,
      conversation_id TEXT NOT NULL,
      visitor_id TEXT NOT NULL,
      site_key TEXT NOT NULL,
      asked_at ${bigint} NOT NULL,
      day TEXT NOT NULL,
      question TEXT NOT NULL,
      answer TEXT NOT NULL,
      sources TEXT NOT NULL,
      outcome TEXT NOT NULL,
      error_code TEXT,
      page_url TEXT,
      page_title TEXT,
      locale TEXT,
      provider TEXT NOT NULL,
      model TEXT NOT NULL,
      input_tokens ${bigint} NOT NULL,
      output_tokens ${bigint} NOT NULL,
      cost_usd ${real},
      first_token_ms ${bigint},
      total_ms ${bigint} NOT NULL,
      cached INTEGER NOT NULL
    )`,
    `CREATE INDEX IF NOT EXISTS answers_by_time ON answers (asked_at)`,
    `CREATE INDEX IF NOT EXISTS answers_by_conversation ON answers (conversation_id, asked_at)`,
    `CREATE INDEX IF NOT EXISTS answers_by_visitor ON answers (visitor_id)`,
    `CREATE TABLE IF NOT EXISTS feedback (
      message_id TEXT PRIMARY KEY,
      conversation_id TEXT NOT NULL,
      visitor_id TEXT NOT NULL,
      rating TEXT NOT NULL,
      comment TEXT,
      rated_at ${bigint} NOT NULL
    )`,
    `CREATE INDEX IF NOT EXISTS feedback_by_conversation ON feedback (conversation_id)`,
    `CREATE INDEX IF NOT EXISTS feedback_by_visitor ON feedback (visitor_id)`,
    `CREATE TABLE IF NOT EXISTS citations (
      message_id TEXT NOT NULL,
      url TEXT NOT NULL,
      title TEXT NOT NULL,
      asked_at ${bigint} NOT NULL,
      PRIMARY KEY (message_id, url)
    )`,
    `CREATE INDEX IF NOT EXISTS citations_by_time ON citations (asked_at)`,
    `CREATE TABLE IF NOT EXISTS crawls (
      finished_at TEXT PRIMARY KEY,
      summary TEXT NOT NULL
    )`,
  ];
}

export function upsertAnswer(entry: AnswerEntry): Query {
  const columns = [
    'message_id',
    'conversation_id',
    'visitor_id',
    'site_key',
    'asked_at',
    'day',
    'question',
    'answer',
    'sources',
    'outcome',
    'error_code',
    'page_url',
    'page_title',
    'locale',
    'provider',
    'model',
    'input_tokens',
    'output_tokens',
    'cost_usd',
    'first_token_ms',
    'total_ms',
    'cached',
  ];
  const params = [
    entry.messageId,
    entry.conversationId,
    entry.visitorId,
    entry.siteKey,
    entry.askedAt,
    utcDay(entry.askedAt),
    entry.question,
    entry.answer,
    JSON.stringify(entry.sources),
    entry.outcome,
    entry.errorCode ?? null,
    entry.page?.url ?? null,
    entry.page?.title ?? null,
    entry.locale ?? null,
    entry.provider,
    entry.model,
    entry.inputTokens,
    entry.outputTokens,
    entry.costUsd ?? null,
    entry.firstTokenMs === undefined ? null : Math.round(entry.firstTokenMs),
    Math.round(entry.totalMs),
    entry.cached ? 1 : 0,
  ];
  return {
    text: `INSERT INTO answers (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})
      ON CONFLICT (message_id) DO NOTHING`,
    params,
  };
}

export function insertCitations(entry: AnswerEntry): Query[] {
  const cited = new Map<string, LoggedSource>();
  for (const source of entry.sources) {
    if (source.cited) cited.set(pageOf(source.url), source);
  }
  return [...cited].map(([url, source]) => ({
    text: `INSERT INTO citations (message_id, url, title, asked_at) VALUES (?, ?, ?, ?)
      ON CONFLICT (message_id, url) DO NOTHING`,
    params: [entry.messageId, url, pageTitle(source.title), entry.askedAt],
  }));
}

/** A cited section's page: the URL without its #anchor. */
export function pageOf(url: string): string {
  const hash = url.indexOf('#');
  return hash === -1 ? url : url.slice(0, hash);
}

/** Sources are titled "Page › Section": the page's part. */
function pageTitle(title: string): string {
  return title.split(' › ')[0] ?? title;
}

export function upsertFeedback(entry: FeedbackEntry): Query {
  return {
    text: `INSERT INTO feedback (message_id, conversation_id, visitor_id, rating, comment, rated_at)
      VALUES (?, ?, ?, ?, ?, ?)
      ON CONFLICT (message_id) DO UPDATE SET rating = excluded.rating,
        comment = COALESCE(excluded.comment, feedback.comment), rated_at = excluded.rated_at`,
    params: [
      entry.messageId,
      entry.conversationId,
      entry.visitorId,
      entry.rating,
      entry.comment ?? null,
      entry.ratedAt,
    ],
  };
}

const ANSWER_COLUMNS = `a.message_id, a.conversation_id, a.visitor_id, a.site_key, a.asked_at,
  a.question, a.answer, a.sources, a.outcome, a.error_code, a.page_url, a.page_title, a.locale,
  a.provider, a.model, a.input_tokens, a.output_tokens, a.cost_usd, a.first_token_ms, a.total_ms,
  a.cached, f.rating, f.comment`;
const FROM_ANSWERS = `FROM answers a LEFT JOIN feedback f ON f.message_id = a.message_id`;

/** `%`, `_` and `\` in a search stay literal in LIKE. */
function likePattern(text: string): string {
  return `%${text.toLowerCase().replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
}

function whereOf(filter: ConversationFilter): Query {
  const clauses: string[] = [];
  const params: unknown[] = [];
  if (filter.since !== undefined) {
    clauses.push('a.asked_at >= ?');
    params.push(filter.since);
  }
  if (filter.outcome) {
    clauses.push('a.outcome = ?');
    params.push(filter.outcome);
  }
  if (filter.rating === 'none') clauses.push('f.rating IS NULL');
  else if (filter.rating) {
    clauses.push('f.rating = ?');
    params.push(filter.rating);
  }
  if (filter.page) {
    clauses.push(`LOWER(a.page_url) LIKE ? ESCAPE '\\'`);
    params.push(likePattern(filter.page));
  }
  if (filter.text) {
    clauses.push(`(LOWER(a.question) LIKE ? ESCAPE '\\' OR LOWER(a.answer) LIKE ? ESCAPE '\\')`);
    params.push(likePattern(filter.text), likePattern(filter.text));
  }
  return { text: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
}

export function conversationIds(
  filter: ConversationFilter,
  limit: number,
  after?: ConversationCursor,
): Query {
  const where = whereOf(filter);
  const having = after
    ? {
        text: 'HAVING MAX(a.asked_at) < ? OR (MAX(a.asked_at) = ? AND a.conversation_id < ?)',
        params: [after.lastAt, after.lastAt, after.conversationId],
      }
    : { text: '', params: [] };
  return {
    text: `SELECT a.conversation_id AS conversation_id, MAX(a.asked_at) AS last_at ${FROM_ANSWERS}
      ${where.text} GROUP BY a.conversation_id ${having.text}
      ORDER BY last_at DESC, conversation_id DESC LIMIT ?`,
    params: [...where.params, ...having.params, limit],
  };
}

export function turnsOf(conversationIdList: string[]): Query {
  return {
    text: `SELECT ${ANSWER_COLUMNS} ${FROM_ANSWERS}
      WHERE a.conversation_id IN (${conversationIdList.map(() => '?').join(', ')})
      ORDER BY a.asked_at, a.message_id`,
    params: conversationIdList,
  };
}

export function answersBetween(
  since: number,
  until: number,
  limit: number,
  after?: { askedAt: number; messageId: string },
): Query {
  const resume = after ? 'AND (a.asked_at > ? OR (a.asked_at = ? AND a.message_id > ?))' : '';
  return {
    text: `SELECT ${ANSWER_COLUMNS} ${FROM_ANSWERS}
      WHERE a.asked_at >= ? AND a.asked_at < ? ${resume}
      ORDER BY a.asked_at, a.message_id LIMIT ?`,
    params: [
      since,
      until,
      ...(after ? [after.askedAt, after.askedAt, after.messageId] : []),
      limit,
    ],
  };
}

export function gapCandidates(since: number, limit: number): Query {
  return {
    text: `SELECT ${ANSWER_COLUMNS} ${FROM_ANSWERS}
      WHERE a.asked_at >= ? AND (a.outcome = 'not_found' OR f.rating = 'down')
      ORDER BY a.asked_at DESC LIMIT ?`,
    params: [since, limit],
  };
}

export function dailyCounts(since: number): Query {
  const count = (condition: string) => `SUM(CASE WHEN ${condition} THEN 1 ELSE 0 END)`;
  return {
    text: `SELECT a.day AS day, COUNT(*) AS questions,
        ${count(`a.outcome = 'answered'`)} AS answered,
        ${count(`a.outcome = 'not_found'`)} AS not_found,
        ${count(`a.outcome = 'error'`)} AS errors,
        ${count(`a.outcome = 'cancelled'`)} AS cancelled,
        ${count(`f.rating = 'up'`)} AS rated_up,
        ${count(`f.rating = 'down'`)} AS rated_down,
        SUM(a.input_tokens) AS input_tokens, SUM(a.output_tokens) AS output_tokens,
        SUM(COALESCE(a.cost_usd, 0)) AS cost_usd
      ${FROM_ANSWERS} WHERE a.asked_at >= ? GROUP BY a.day ORDER BY a.day`,
    params: [since],
  };
}

export function firstTokenTimes(since: number): Query {
  return {
    text: `SELECT day, first_token_ms FROM answers
      WHERE asked_at >= ? AND first_token_ms IS NOT NULL`,
    params: [since],
  };
}

export function citedPages(since: number): Query {
  return {
    text: `SELECT url, MAX(title) AS title, COUNT(*) AS citations FROM citations
      WHERE asked_at >= ? GROUP BY url ORDER BY citations DESC, url`,
    params: [since],
  };
}

/** Deletes the answers matching `where` and everything attached to them; counts answers first. */
export function deletions(column: 'conversation_id' | 'visitor_id', value: string): Query[] {
  return [
    {
      text: `DELETE FROM citations WHERE message_id IN
        (SELECT message_id FROM answers WHERE ${column} = ?)`,
      params: [value],
    },
    { text: `DELETE FROM feedback WHERE ${column} = ?`, params: [value] },
    { text: `DELETE FROM answers WHERE ${column} = ?`, params: [value] },
  ];
}

/** Crawls kept in the log: the console shows the last one; a few more help to compare. */
const CRAWLS_KEPT = 20;

export function saveCrawl(summary: CrawlSummary): Query[] {
  return [
    {
      text: `INSERT INTO crawls (finished_at, summary) VALUES (?, ?)
        ON CONFLICT (finished_at) DO UPDATE SET summary = excluded.summary`,
      params: [summary.finishedAt, JSON.stringify(summary)],
    },
    {
      text: `DELETE FROM crawls WHERE finished_at NOT IN
        (SELECT finished_at FROM crawls ORDER BY finished_at DESC LIMIT ${CRAWLS_KEPT})`,
      params: [],
    },
  ];
}

export const LAST_CRAWL: Query = {
  text: 'SELECT summary FROM crawls ORDER BY finished_at DESC LIMIT 1',
  params: [],
};

export function toCrawlSummary(row: Row | undefined): CrawlSummary | undefined {
  return row ? (JSON.parse(String(row.summary)) as CrawlSummary) : undefined;
}

export function purges(before: number): Query[] {
  return [
    { text: 'DELETE FROM citations WHERE asked_at < ?', params: [before] },
    {
      text: `DELETE FROM feedback WHERE rated_at < ? OR message_id IN
        (SELECT message_id FROM answers WHERE asked_at < ?)`,
      params: [before, before],
    },
    { text: 'DELETE FROM answers WHERE asked_at < ?', params: [before] },
  ];
}

const optionalString = (value: unknown) =>
  typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
const optionalNumber = (value: unknown) =>
  value === null || value === undefined ? undefined : Number(value);

export function toLoggedAnswer(row: Row): LoggedAnswer {
  const pageUrl = optionalString(row.page_url);
  const pageTitle = optionalString(row.page_title);
  return {
    messageId: String(row.message_id),
    conversationId: String(row.conversation_id),
    visitorId: String(row.visitor_id),
    siteKey: String(row.site_key),
    askedAt: Number(row.asked_at),
    question: String(row.question),
    answer: String(row.answer),
    sources: JSON.parse(String(row.sources)) as LoggedSource[],
    outcome: String(row.outcome) as AnswerOutcome,
    errorCode: optionalString(row.error_code),
    page: pageUrl ? { url: pageUrl, ...(pageTitle && { title: pageTitle }) } : undefined,
    locale: optionalString(row.locale),
    provider: String(row.provider),
    model: String(row.model),
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    costUsd: optionalNumber(row.cost_usd),
    firstTokenMs: optionalNumber(row.first_token_ms),
    totalMs: Number(row.total_ms),
    cached: Number(row.cached) === 1,
    rating: optionalString(row.rating) as Rating | undefined,
    comment: optionalString(row.comment),
  };
}

export function toDayCounts(row: Row): DayCounts {
  return {
    day: String(row.day),
    questions: Number(row.questions),
    answered: Number(row.answered),
    notFound: Number(row.not_found),
    errors: Number(row.errors),
    cancelled: Number(row.cancelled),
    ratedUp: Number(row.rated_up),
    ratedDown: Number(row.rated_down),
    inputTokens: Number(row.input_tokens),
    outputTokens: Number(row.output_tokens),
    costUsd: Number(row.cost_usd),
  };
}

/** Groups turns (oldest first) into conversations, in the order of `ids`. */
export function groupConversations(ids: string[], turns: LoggedAnswer[]): LoggedConversation[] {
  const byId = new Map<string, LoggedAnswer[]>();
  for (const turn of turns) {
    const list = byId.get(turn.conversationId) ?? [];
    list.push(turn);
    byId.set(turn.conversationId, list);
  }
  return ids.flatMap((conversationId) => {
    const list = byId.get(conversationId);
    const first = list?.[0];
    const last = list?.at(-1);
    if (!first || !last) return [];
    return [
      {
        conversationId,
        visitorId: first.visitorId,
        siteKey: first.siteKey,
        startedAt: first.askedAt,
        lastAt: last.askedAt,
        turns: list,
      },
    ];
  });
}
