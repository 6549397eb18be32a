import type Database from 'better-sqlite3';
import {
  type AnswerCursor,
  type CitedPage,
  ConversationLogStore,
  type ConversationPage,
  type ConversationQuery,
  type DayCounts,
  type LoggedConversation,
} from './conversation-log.store';
import {
  type AnswerEntry,
  type CrawlSummary,
  type FeedbackEntry,
  type LoggedAnswer,
} from './log-record';
import * as sql from './log-sql';
import { type SqlRow as Row } from '../common/sql-query';
import { SqliteFile } from '../common/sqlite-file';

export const LOG_FILE = 'conversations.sqlite';

/**
 * The embedded conversation log: one SQLite file in the data folder, written by this process only.
 * better-sqlite3 is synchronous; its calls are short (a batch of inserts in one transaction, or
 * one indexed query) and never on the answer's path, which only queues entries.
 */
export class SqliteConversationLogStore extends ConversationLogStore {
  private readonly db: SqliteFile;

  constructor(private readonly file: string) {
    super();
    this.db = new SqliteFile(file, {
      name: 'The conversation log',
      pragmas: ['synchronous = NORMAL'],
      setUp: (db) => this.setUp(db),
    });
  }

  init(): Promise<void> {
    return this.db.init();
  }

  /** Creates the tables, and refuses a file another version's schema wrote. */
  private setUp(db: Database.Database): void {
    db.transaction(() => {
      for (const statement of sql.schema('sqlite')) db.exec(statement);
      db.prepare(
        `INSERT INTO log_meta (key, value) VALUES ('schema_version', ?) ON CONFLICT DO NOTHING`,
      ).run(String(sql.SCHEMA_VERSION));
    })();
    const version = (
      db.prepare(`SELECT value FROM log_meta WHERE key = 'schema_version'`).get() as Row
    ).value;
    if (version !== String(sql.SCHEMA_VERSION)) {
      throw new Error(
        `The conversation log at ${this.file} has schema ${String(version)}; this LoreChat ` +
          `writes ${sql.SCHEMA_VERSION}. Move the file away to start a new log.`,
      );
    }
  }

  writeAnswers(entries: AnswerEntry[]): Promise<void> {
    return this.inTransaction(
      entries.flatMap((entry) => [sql.upsertAnswer(entry), ...sql.insertCitations(entry)]),
    );
  }

  writeFeedback(entries: FeedbackEntry[]): Promise<void> {
    return this.inTransaction(entries.map(sql.upsertFeedback));
  }

  listConversations({ filter, limit, after }: ConversationQuery): Promise<ConversationPage> {
    return this.db.read(() => {
      const ids = this.all(sql.conversationIds(filter, limit + 1, after));
      const page = ids.slice(0, limit);
      const conversationIds = page.map((row) => String(row.conversation_id));
      const turns = conversationIds.length ? this.all(sql.turnsOf(conversationIds)) : [];
      const last = page.at(-1);
      return {
        items: sql.groupConversations(conversationIds, turns.map(sql.toLoggedAnswer)),
        next:
          ids.length > limit && last
            ? { lastAt: Number(last.last_at), conversationId: String(last.conversation_id) }
            : undefined,
      };
    });
  }

  conversation(conversationId: string): Promise<LoggedConversation | undefined> {
    return this.db.read(
      () =>
        sql.groupConversations(
          [conversationId],
          this.all(sql.turnsOf([conversationId])).map(sql.toLoggedAnswer),
        )[0],
    );
  }

  answers(
    since: number,
    until: number,
    limit: number,
    after?: AnswerCursor,
  ): Promise<LoggedAnswer[]> {
    return this.db.read(() =>
      this.all(sql.answersBetween(since, until, limit, after)).map(sql.toLoggedAnswer),
    );
  }

  gapCandidates(since: number, limit: number): Promise<LoggedAnswer[]> {
    return this.db.read(() => this.all(sql.gapCandidates(since, limit)).map(sql.toLoggedAnswer));
  }

  dailyCounts(since: number): Promise<DayCounts[]> {
    return this.db.read(() => this.all(sql.dailyCounts(since)).map(sql.toDayCounts));
  }

  firstTokenTimes(since: number): Promise<{ day: string; ms: number }[]> {
    return this.db.read(() =>
      this.all(sql.firstTokenTimes(since)).map((row) => ({
        day: String(row.day),
        ms: Number(row.first_token_ms),
      })),
    );
  }

  citedPages(since: number): Promise<CitedPage[]> {
    return this.db.read(() =>
      this.all(sql.citedPages(since)).map((row) => ({
        url: String(row.url),
        title: String(row.title),
        citations: Number(row.citations),
      })),
    );
  }

  saveCrawl(summary: CrawlSummary): Promise<void> {
    return this.inTransaction(sql.saveCrawl(summary));
  }

  lastCrawl(): Promise<CrawlSummary | undefined> {
    return this.db.read(() => sql.toCrawlSummary(this.all(sql.LAST_CRAWL)[0]));
  }

  deleteConversation(conversationId: string): Promise<number> {
    return this.deleteAll(sql.deletions('conversation_id', conversationId));
  }

  deleteVisitor(visitorId: string): Promise<number> {
    return this.deleteAll(sql.deletions('visitor_id', visitorId));
  }

  purgeBefore(before: number): Promise<number> {
    return this.deleteAll(sql.purges(before));
  }

  close(): Promise<void> {
    return this.db.close();
  }

  /** Runs the queries in one transaction; the last one's changes are the answers deleted. */
  private async deleteAll(queries: sql.Query[]): Promise<number> {
    return (await this.db.runAll(queries)).at(-1) ?? 0;
  }

  private inTransaction(queries: sql.Query[]): Promise<void> {
    return this.db.runAll(queries).then(() => undefined);
  }

  private all(query: sql.Query): Row[] {
    return this.db.all(query);
  }
}
