import {
  type AnswerEntry,
  type CrawlSummary,
  type AnswerOutcome,
  type FeedbackEntry,
  type LoggedAnswer,
  type Rating,
} from './log-record';

/** Filters of the conversation list: a conversation matches when one of its answers does. */
export interface ConversationFilter {
  outcome?: AnswerOutcome;
  /** `none`: answers nobody rated. */
  rating?: Rating | 'none';
  /** Part of the page URL the widget was on. */
  page?: string;
  /** Part of a question or an answer, any case. */
  text?: string;
  /** Epoch ms: only answers asked at or after it. */
  since?: number;
}

/** Where the previous page of conversations ended: its last conversation's time and id. */
export interface ConversationCursor {
  lastAt: number;
  conversationId: string;
}

export interface ConversationQuery {
  filter: ConversationFilter;
  limit: number;
  after?: ConversationCursor;
}

export interface LoggedConversation {
  conversationId: string;
  visitorId: string;
  siteKey: string;
  startedAt: number;
  lastAt: number;
  /** Every answer of the conversation, oldest first. */
  turns: LoggedAnswer[];
}

export interface ConversationPage {
  /** Newest first, by their latest answer. */
  items: LoggedConversation[];
  /** Set when there may be more. */
  next?: ConversationCursor;
}

/** One UTC day of answers. */
export interface DayCounts {
  day: string;
  questions: number;
  answered: number;
  notFound: number;
  errors: number;
  cancelled: number;
  ratedUp: number;
  ratedDown: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
}

export interface CitedPage {
  url: string;
  title: string;
  citations: number;
}

/** Where an export resumes: the last answer written. */
export interface AnswerCursor {
  askedAt: number;
  messageId: string;
}

/**
 * The DI token for where the conversation log lives: `sqlite` (a file in the data folder) or
 * `postgres` (a database every task shares). Writes are idempotent (an answer or a rating written
 * twice is stored once), so a batch that failed halfway can be written again.
 */
export abstract class ConversationLogStore {
  /** Creates the tables when missing; safe when several tasks start at once. */
  abstract init(): Promise<void>;
  abstract writeAnswers(entries: AnswerEntry[]): Promise<void>;
  /** The latest rating of an answer wins. */
  abstract writeFeedback(entries: FeedbackEntry[]): Promise<void>;
  abstract listConversations(query: ConversationQuery): Promise<ConversationPage>;
  abstract conversation(conversationId: string): Promise<LoggedConversation | undefined>;
  /** Answers asked in [since, until), oldest first, after the cursor: for exports. */
  abstract answers(
    since: number,
    until: number,
    limit: number,
    after?: AnswerCursor,
  ): Promise<LoggedAnswer[]>;
  /** Answers since `since` that were not found or rated down, newest first, at most `limit`. */
  abstract gapCandidates(since: number, limit: number): Promise<LoggedAnswer[]>;
  abstract dailyCounts(since: number): Promise<DayCounts[]>;
  /** Time to first token of each answer since `since` that had one, with its day. */
  abstract firstTokenTimes(since: number): Promise<{ day: string; ms: number }[]>;
  /** The pages cited by answers since `since`, most cited first. */
  abstract citedPages(since: number): Promise<CitedPage[]>;
  /** Returns the number of answers deleted (their ratings go with them). */
  abstract deleteConversation(conversationId: string): Promise<number>;
  abstract deleteVisitor(visitorId: string): Promise<number>;
  /**
   * Keeps a crawl's summary, so the console sees crawls that ran elsewhere (the ingest job in AWS
   * runs in a task of its own); the last 20 are kept.
   */
  abstract saveCrawl(summary: CrawlSummary): Promise<void>;
  /** The crawl that finished last, if any was saved. */
  abstract lastCrawl(): Promise<CrawlSummary | undefined>;
  /** Deletes everything asked or rated before `before`; returns the answers deleted. */
  abstract purgeBefore(before: number): Promise<number>;
  abstract close(): Promise<void>;

  /** Nest calls this on shutdown, after the log's last flush (`beforeApplicationShutdown`). */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}
