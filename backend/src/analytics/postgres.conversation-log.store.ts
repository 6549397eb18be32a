import { type PoolClient, type PoolConfig, types } from 'pg';
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
import { PostgresDatabase } from '../common/postgres-database';

type Row = Record<string, unknown>;

/** Serialises table creation when every task starts at once: pg_advisory_xact_lock's key. */
const SCHEMA_LOCK = 7_356_001;

/** Counts and sums come back as BIGINT or NUMERIC, which pg gives as strings; they fit a double. */
const NUMBER_TYPES = new Set<number>([types.builtins.INT8, types.builtins.NUMERIC]);

/**
 * The conversation log in PostgreSQL, shared by every task (RDS or Aurora in AWS). A small pool:
 * the log writes a batch a second at most per task and the console reads rarely. Every query has
 * a deadline, so a database that stops answering fails a flush (which is retried) instead of
 * holding it forever.
 */
export class PostgresConversationLogStore extends ConversationLogStore {
  private readonly db: PostgresDatabase;

  constructor(connectionString: string, options: Partial<PoolConfig> = {}) {
    super();
    this.db = new PostgresDatabase(
      connectionString,
      {
        max: 4,
        applicationName: 'lorechat',
        schemaLock: SCHEMA_LOCK,
        setUp: (client) => createTables(client),
      },
      { types: { getTypeParser: numbersAsNumbers }, ...options },
    );
  }

  init(): Promise<void> {
    return this.db.init();
  }

  writeAnswers(entries: AnswerEntry[]): Promise<void> {
    return this.runAll(
      entries.flatMap((entry) => [sql.upsertAnswer(entry), ...sql.insertCitations(entry)]),
    ).then(() => undefined);
  }

  writeFeedback(entries: FeedbackEntry[]): Promise<void> {
    return this.runAll(entries.map(sql.upsertFeedback)).then(() => undefined);
  }

  async listConversations({ filter, limit, after }: ConversationQuery): Promise<ConversationPage> {
    const ids = await this.all(sql.conversationIds(filter, limit + 1, after));
    const page = ids.slice(0, limit);
    const conversationIds = page.map((row) => String(row.conversation_id));
    const turns = conversationIds.length ? await this.all(sql.turnsOf(conversationIds)) : [];
    const last = page.at(-1);
    return {
      items: sql.groupConversations(conversationIds, turns.map(sql.toLoggedAnswer)),
      next:
        ids.length > limit && last
          ? { lastAt: Number(last.last_at), conversationId: String(last.conversation_id) }
          : undefined,
    };
  }

  async conversation(conversationId: string): Promise<LoggedConversation | undefined> {
    const turns = await this.all(sql.turnsOf([conversationId]));
    return sql.groupConversations([conversationId], turns.map(sql.toLoggedAnswer))[0];
  }

  async answers(
    since: number,
    until: number,
    limit: number,
    after?: AnswerCursor,
  ): Promise<LoggedAnswer[]> {
    return (await this.all(sql.answersBetween(since, until, limit, after))).map(sql.toLoggedAnswer);
  }

  async gapCandidates(since: number, limit: number): Promise<LoggedAnswer[]> {
    return (await this.all(sql.gapCandidates(since, limit))).map(sql.toLoggedAnswer);
  }

  async dailyCounts(since: number): Promise<DayCounts[]> {
    return (await this.all(sql.dailyCounts(since))).map(sql.toDayCounts);
  }

  async firstTokenTimes(since: number): Promise<{ day: string; ms: number }[]> {
    return (await this.all(sql.firstTokenTimes(since))).map((row) => ({
      day: String(row.day),
      ms: Number(row.first_token_ms),
    }));
  }

  async citedPages(since: number): Promise<CitedPage[]> {
    return (await this.all(sql.citedPages(since))).map((row) => ({
      url: String(row.url),
      title: String(row.title),
      citations: Number(row.citations),
    }));
  }

  async saveCrawl(summary: CrawlSummary): Promise<void> {
    await this.runAll(sql.saveCrawl(summary));
  }

  async lastCrawl(): Promise<CrawlSummary | undefined> {
    return sql.toCrawlSummary((await this.all(sql.LAST_CRAWL))[0]);
  }

  async deleteConversation(conversationId: string): Promise<number> {
    return (await this.runAll(sql.deletions('conversation_id', conversationId))).at(-1) ?? 0;
  }

  async deleteVisitor(visitorId: string): Promise<number> {
    return (await this.runAll(sql.deletions('visitor_id', visitorId))).at(-1) ?? 0;
  }

  async purgeBefore(before: number): Promise<number> {
    return (await this.runAll(sql.purges(before))).at(-1) ?? 0;
  }

  close(): Promise<void> {
    return this.db.close();
  }

  private all(query: sql.Query): Promise<Row[]> {
    return this.db.all(query);
  }

  private runAll(queries: sql.Query[]): Promise<number[]> {
    return this.db.runAll(queries);
  }
}

function numbersAsNumbers(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (NUMBER_TYPES.has(oid)) return Number;
  return format === 'binary'
    ? (types.getTypeParser(oid, 'binary') as (value: string) => unknown)
    : (types.getTypeParser(oid, 'text') as (value: string) => unknown);
}

/** Creates the tables, and refuses a database another version's schema wrote. */
async function createTables(client: PoolClient): Promise<void> {
  for (const statement of sql.schema('postgres')) await client.query(statement);
  await client.query(
    `INSERT INTO log_meta (key, value) VALUES ('schema_version', $1) ON CONFLICT DO NOTHING`,
    [String(sql.SCHEMA_VERSION)],
  );
  const { rows } = await client.query<{ value: string }>(
    `SELECT value FROM log_meta WHERE key = 'schema_version'`,
  );
  const version = rows[0]?.value;
  if (version !== String(sql.SCHEMA_VERSION)) {
    throw new Error(
      `The conversation log database has schema ${String(version)}; this LoreChat writes ` +
        `${sql.SCHEMA_VERSION}.`,
    );
  }
}
