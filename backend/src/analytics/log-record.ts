/**
 * What the conversation log keeps: one entry per answer (however it ended) and one rating per
 * answer. The chat path reports them (see AnswerLog); the stores keep them; the owner's console and
 * the admin API read them.
 */

/** How an answer ended. `not_found`: the site's pages did not answer the question. */
export const ANSWER_OUTCOMES = ['answered', 'not_found', 'error', 'cancelled'] as const;
export type AnswerOutcome = (typeof ANSWER_OUTCOMES)[number];

export type Rating = 'up' | 'down';

/** A source shown under an answer; `cited` when the answer's text refers to it ([n]). */
export interface LoggedSource {
  url: string;
  title: string;
  cited: boolean;
}

/** The page the widget was on when the question was asked. */
export interface LoggedPage {
  url: string;
  title?: string;
}

/** One answer as stored, its text already masked unless ANALYTICS_STORE_PII=true. */
export interface AnswerEntry {
  messageId: string;
  conversationId: string;
  /** The pseudonymous id of the visitor token (a random UUID, never an IP address). */
  visitorId: string;
  siteKey: string;
  /** Epoch milliseconds. */
  askedAt: number;
  question: string;
  answer: string;
  sources: LoggedSource[];
  outcome: AnswerOutcome;
  /** The chat error code sent to the visitor, for `error`. */
  errorCode?: string;
  page?: LoggedPage;
  locale?: string;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  /** US dollars; undefined when the model has no known price. */
  costUsd?: number;
  /** From the question to the first token of the answer; undefined when no token was sent. */
  firstTokenMs?: number;
  totalMs: number;
  /** Served from the response cache, with no model call. */
  cached: boolean;
}

export interface FeedbackEntry {
  messageId: string;
  conversationId: string;
  visitorId: string;
  rating: Rating;
  comment?: string;
  /** Epoch milliseconds. */
  ratedAt: number;
}

/** An answer with its rating, as the admin API returns it. */
export interface LoggedAnswer extends AnswerEntry {
  rating?: Rating;
  comment?: string;
}

/** What the console shows of a crawl: its report without the list of every page. */
export interface CrawlSummary {
  startedAt: string;
  finishedAt: string;
  seconds: number;
  dryRun: boolean;
  sites: string[];
  totals: Record<string, number>;
  skippedByReason: Record<string, number>;
  /** The pages the crawl failed on (the first 50). */
  failures: { url: string; reason?: string; detail?: string }[];
}

/** The UTC day of a time, `YYYY-MM-DD`: the unit of the console's charts. */
export function utcDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}
