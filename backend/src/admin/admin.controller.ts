import {
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Logger,
  Param,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import { type Response } from 'express';
import { type z } from 'zod';
import {
  ConversationLogStore,
  type ConversationCursor,
  type LoggedConversation,
} from '../analytics/conversation-log.store';
import { pageOf } from '../analytics/log-sql';
import { servedUrl } from '../chat/citation-url';
import { ConfigService } from '../config/config.service';
import { EmbeddingProvider } from '../embeddings/embedding-provider';
import { Analyzer } from '../text/analyzer';
import { Retriever } from '../retrieval/retriever';
import { VectorStore } from '../vector-store/vector-store';
import { type HandoffCursor, type HandoffPage, HandoffStore } from '../handoff/handoff.store';
import { type StoredHandoff } from '../handoff/handoff-record';
import {
  conversationsQuery,
  exportQuery,
  gapsQuery,
  handoffsQuery,
  pagesQuery,
  statsQuery,
} from './admin-api';
import { AdminGuard, adminError } from './admin.guard';
import { crawlStatus, type CrawlStatus } from './crawl-status';
import { writeExport } from './export';
import { findGaps, type GapGroup } from './gaps';
import { buildStats, sinceDays } from './stats';

const DAY_MS = 86_400_000;
/** Gap candidates read at most: the newest ones, plenty for a console. */
const MAX_GAP_CANDIDATES = 5000;
const MAX_NEVER_CITED = 500;

/** Validates a query string; a bad one is a 400 naming each parameter and what it must be. */
export function parseQuery<T extends z.ZodObject>(schema: T, query: unknown): z.infer<T> {
  const result = schema.safeParse(query);
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) => `${issue.path.join('.') || 'query'}: ${issue.message}`)
    .join('; ');
  throw adminError(HttpStatus.BAD_REQUEST, 'bad_request', `Invalid parameters: ${problems}`);
}

function encodeCursor(cursor: ConversationCursor): string {
  return Buffer.from(JSON.stringify([cursor.lastAt, cursor.conversationId])).toString('base64url');
}

function encodeHandoffCursor(cursor: HandoffCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt, cursor.id])).toString('base64url');
}

function decodeHandoffCursor(text: string): HandoffCursor {
  const { lastAt, conversationId } = decodeCursor(text);
  return { createdAt: lastAt, id: conversationId };
}

function decodeCursor(text: string): ConversationCursor {
  try {
    const [lastAt, conversationId] = JSON.parse(
      Buffer.from(text, 'base64url').toString(),
    ) as unknown[];
    if (typeof lastAt === 'number' && typeof conversationId === 'string') {
      return { lastAt, conversationId };
    }
  } catch {
    // Reported below.
  }
  throw adminError(HttpStatus.BAD_REQUEST, 'bad_request', 'cursor: not a cursor this API gave');
}

/** The admin API over the conversation log (see admin-api.ts for each route's contract). */
@Controller('v1/admin')
@UseGuards(AdminGuard)
export class AdminController {
  private readonly logger = new Logger('AdminApi');

  constructor(
    private readonly store: ConversationLogStore,
    private readonly config: ConfigService,
    private readonly analyzer: Analyzer,
    private readonly retriever: Retriever,
    private readonly embeddings: EmbeddingProvider,
    private readonly vectorStore: VectorStore,
    private readonly handoffs: HandoffStore,
  ) {}

  @Get('session')
  @HttpCode(HttpStatus.NO_CONTENT)
  session(): void {}

  @Get('conversations')
  async conversations(
    @Query() query: unknown,
  ): Promise<{ items: LoggedConversation[]; next?: string }> {
    const { limit, cursor, outcome, rating, page, q, days } = parseQuery(conversationsQuery, query);
    const after = cursor === undefined ? undefined : decodeCursor(cursor);
    const result = await this.read(() =>
      this.store.listConversations({
        filter: {
          outcome,
          rating,
          page,
          text: q,
          since: days === undefined ? undefined : sinceDays(days, Date.now()),
        },
        limit,
        after,
      }),
    );
    return { items: result.items, ...(result.next && { next: encodeCursor(result.next) }) };
  }

  @Get('conversations/:id')
  async conversation(@Param('id') id: string): Promise<LoggedConversation> {
    const conversation = await this.read(() => this.store.conversation(id));
    if (!conversation) {
      throw adminError(HttpStatus.NOT_FOUND, 'not_found', 'No such conversation in the log.');
    }
    return conversation;
  }

  @Delete('conversations/:id')
  async deleteConversation(@Param('id') id: string): Promise<{ deletedAnswers: number }> {
    const deletedAnswers = await this.read(() => this.store.deleteConversation(id));
    this.logger.log({ msg: 'conversation deleted', conversationId: id, deletedAnswers });
    return { deletedAnswers };
  }

  @Delete('visitors/:id')
  async deleteVisitor(
    @Param('id') id: string,
  ): Promise<{ deletedAnswers: number; deletedHandoffs: number }> {
    const deletedAnswers = await this.read(() => this.store.deleteVisitor(id));
    const deletedHandoffs = await this.read(() => this.handoffs.deleteVisitor(id));
    this.logger.log({
      msg: "visitor's data deleted",
      visitorId: id,
      deletedAnswers,
      deletedHandoffs,
    });
    return { deletedAnswers, deletedHandoffs };
  }

  @Get('handoffs')
  async listHandoffs(@Query() query: unknown): Promise<{ items: StoredHandoff[]; next?: string }> {
    const { limit, cursor } = parseQuery(handoffsQuery, query);
    const after = cursor === undefined ? undefined : decodeHandoffCursor(cursor);
    const page: HandoffPage = await this.read(() => this.handoffs.list(limit, after));
    return { items: page.items, ...(page.next && { next: encodeHandoffCursor(page.next) }) };
  }

  @Get('gaps')
  async gaps(@Query() query: unknown): Promise<{ items: GapGroup[] }> {
    const { days, limit } = parseQuery(gapsQuery, query);
    const candidates = await this.read(() =>
      this.store.gapCandidates(sinceDays(days, Date.now()), MAX_GAP_CANDIDATES),
    );
    const items = await findGaps(
      candidates,
      { analyzer: this.analyzer, retriever: this.retriever, embeddings: this.embeddings },
      limit,
    );
    // Linked as visitors reach them: the bundled docs under PUBLIC_URL.
    const { publicUrl } = this.config.config.server;
    for (const group of items) {
      const closest = group.closestPage;
      if (closest) {
        closest.url = servedUrl(closest.url, publicUrl);
        closest.section = servedUrl(closest.section, publicUrl);
      }
    }
    return { items };
  }

  @Get('stats')
  async stats(@Query() query: unknown): Promise<ReturnType<typeof buildStats>> {
    const { days } = parseQuery(statsQuery, query);
    const now = Date.now();
    const since = sinceDays(days, now);
    const [counts, firstTokens] = await this.read(() =>
      Promise.all([this.store.dailyCounts(since), this.store.firstTokenTimes(since)]),
    );
    return buildStats(days, now, counts, firstTokens);
  }

  @Get('pages')
  async pages(@Query() query: unknown): Promise<{
    indexedPages: number;
    mostCited: { url: string; title: string; citations: number }[];
    neverCited: { url: string; title: string }[];
  }> {
    const { days } = parseQuery(pagesQuery, query);
    const [cited, indexed] = await this.read(() =>
      Promise.all([
        this.store.citedPages(sinceDays(days, Date.now())),
        this.vectorStore.documents(),
      ]),
    );
    const citedUrls = new Set(cited.map((page) => page.url));
    // Citations are logged as visitors were given them: the bundled docs under PUBLIC_URL.
    const { publicUrl } = this.config.config.server;
    return {
      indexedPages: indexed.length,
      mostCited: cited.slice(0, 50),
      neverCited: indexed
        .map((page) => ({ ...page, url: servedUrl(page.url, publicUrl) }))
        .filter((page) => !citedUrls.has(pageOf(page.url)))
        .slice(0, MAX_NEVER_CITED),
    };
  }

  @Get('crawl')
  crawl(): Promise<CrawlStatus> {
    const { dataDir, admin } = this.config.config;
    return crawlStatus(dataDir, this.store, admin.ingestSchedule, new Date());
  }

  @Get('export')
  async export(@Query() query: unknown, @Res() response: Response): Promise<void> {
    const { format, days } = parseQuery(exportQuery, query);
    const now = Date.now();
    const since = sinceDays(days, now);
    // Fail before the headers go out if the log cannot be read at all.
    await this.read(() => this.store.answers(since, now + DAY_MS, 1));
    const stamp = new Date(now).toISOString().slice(0, 10);
    response.status(200);
    response.setHeader(
      'Content-Type',
      format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8',
    );
    response.setHeader(
      'Content-Disposition',
      `attachment; filename="lorechat-conversations-${stamp}.${format}"`,
    );
    response.setHeader('Cache-Control', 'no-store');
    try {
      await writeExport(this.store, format, since, now + DAY_MS, response);
    } catch (error) {
      // Headers are gone: all that is left is to cut the download short, which clients see.
      this.logger.warn(`export failed midway: ${(error as Error).message}`);
      response.destroy();
    }
  }

  /** A log that cannot be read (a database down) is a 503 saying so, not a 500. */
  private async read<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof Error && 'getStatus' in error) throw error;
      this.logger.warn(`conversation log read failed: ${(error as Error).message}`);
      throw adminError(
        HttpStatus.SERVICE_UNAVAILABLE,
        'unavailable',
        'The conversation log cannot be read right now; try again shortly.',
      );
    }
  }
}
