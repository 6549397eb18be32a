import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
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

export const LOG_FILE = 'conversations.sqlite';

type Row = Record<string, unknown>;

/**
 * The embedded conversation log: one SQLite file in the data folder, written by this process only.
 * better-sqlite3 is synchronous; its calls are short (a batch of inserts in one transaction, or
 * one indexed query) and never on the answer's path, which only queues entries.
 */
export class SqliteConversationLogStore extends ConversationLogStore {
  private db?: Database.Database;
  private closed = false;

  constructor(private readonly file: string) {
    super();
  }

  init(): Promise<void> {
    return settle(() => void this.open());
  }

  private create(): Database.Database {
    mkdirSync(dirname(this.file), { recursive: true });
    const db = new Database(this.file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('busy_timeout = 5000');
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
      db.close();
      throw new Error(
        `The conversation log at ${this.file} has schema ${String(version)}; this LoreChat ` +
          `writes ${sql.SCHEMA_VERSION}. Move the file away to start a new log.`,
      );
    }
    return db;
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
    return settle(() => {
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
    return settle(
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
    return settle(() =>
      this.all(sql.answersBetween(since, until, limit, after)).map(sql.toLoggedAnswer),
    );
  }

  gapCandidates(since: number, limit: number): Promise<LoggedAnswer[]> {
    return settle(() => this.all(sql.gapCandidates(since, limit)).map(sql.toLoggedAnswer));
  }

  dailyCounts(since: number): Promise<DayCounts[]> {
    return settle(() => this.all(sql.dailyCounts(since)).map(sql.toDayCounts));
  }

  firstTokenTimes(since: number): Promise<{ day: string; ms: number }[]> {
    return settle(() =>
      this.all(sql.firstTokenTimes(since)).map((row) => ({
        day: String(row.day),
        ms: Number(row.first_token_ms),
      })),
    );
  }

  citedPages(since: number): Promise<CitedPage[]> {
    return settle(() =>
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
    return settle(() => sql.toCrawlSummary(this.all(sql.LAST_CRAWL)[0]));
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
    this.db?.close();
    this.db = undefined;
    this.closed = true;
    return Promise.resolve();
  }

  /** Runs the queries in one transaction; the last one's changes are the answers deleted. */
  private deleteAll(queries: sql.Query[]): Promise<number> {
    return settle(() => {
      const db = this.open();
      let changes = 0;
      db.transaction(() => {
        for (const query of queries) changes = db.prepare(query.text).run(...query.params).changes;
      })();
      return changes;
    });
  }

  private inTransaction(queries: sql.Query[]): Promise<void> {
    return settle(() => {
      const db = this.open();
      db.transaction(() => {
        for (const query of queries) db.prepare(query.text).run(...query.params);
      })();
    });
  }

  private all(query: sql.Query): Row[] {
    return this.open()
      .prepare(query.text)
      .all(...query.params) as Row[];
  }

  /** Opens the file (creating its tables) on first use. */
  private open(): Database.Database {
    if (this.closed) throw new Error('The conversation log is closed.');
    this.db ??= this.create();
    return this.db;
  }
}

/** Runs synchronous work as a promise, so a thrown error is a rejection like a database's. */
function settle<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
