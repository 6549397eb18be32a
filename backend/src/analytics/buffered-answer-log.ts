import { type BeforeApplicationShutdown, Logger, type OnModuleInit } from '@nestjs/common';
import { type ModelPrice } from '../config/model-prices';
import { answerCost, priceOf } from '../metrics/prices';
import { AnswerLog, type FinishedAnswer, type GivenFeedback } from './answer-log';
import { type ConversationLogStore } from './conversation-log.store';
import { type AnswerEntry, type FeedbackEntry } from './log-record';
import { citedNumbers, deriveOutcome } from './outcome';
import { maskPii } from './pii';

export interface AnswerLogSettings {
  /** Keep e-mail addresses and phone numbers (`ANALYTICS_STORE_PII=true`). */
  storePii: boolean;
  prices: Readonly<Record<string, ModelPrice>>;
  /** How often queued entries are written. */
  flushIntervalMs: number;
  /** Entries kept while the store is unreachable; the oldest are dropped beyond it. */
  maxQueued: number;
  /** On shutdown, how long the last flush may take. */
  shutdownFlushMs: number;
}

export const DEFAULT_LOG_SETTINGS = {
  flushIntervalMs: 1000,
  maxQueued: 10_000,
  shutdownFlushMs: 5000,
} as const;

type Queued =
  | { kind: 'answer'; answer: FinishedAnswer }
  | { kind: 'feedback'; feedback: GivenFeedback; at: number };

/** A page URL's query and fragment may carry anything (tokens, e-mail addresses): dropped. */
function storedPageUrl(url: string, storePii: boolean): string {
  if (storePii) return url;
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return url.split(/[?#]/)[0] ?? '';
  }
}

/** What is stored of a finished answer: masked, with its outcome, cited sources and cost. */
export function toAnswerEntry(
  answer: FinishedAnswer,
  settings: Pick<AnswerLogSettings, 'storePii' | 'prices'>,
): AnswerEntry {
  const mask = settings.storePii ? (text: string) => text : maskPii;
  const cited = citedNumbers(answer.answer);
  const price = priceOf(answer.model, settings.prices);
  const outcome =
    answer.outcome ??
    deriveOutcome({
      answer: answer.answer,
      sourceCount: answer.sources.length,
      cancelled: answer.cancelled,
      failed: answer.errorCode !== undefined,
    });
  return {
    messageId: answer.messageId,
    conversationId: answer.conversationId,
    visitorId: answer.visitorId,
    siteKey: answer.siteKey,
    askedAt: answer.askedAt,
    question: mask(answer.question),
    answer: mask(answer.answer),
    sources: answer.sources.map((source, index) => ({
      url: source.url,
      title: source.title,
      cited: cited.has(index + 1),
    })),
    outcome,
    errorCode: answer.errorCode,
    page: answer.page && {
      url: storedPageUrl(answer.page.url, settings.storePii),
      ...(answer.page.title !== undefined && { title: mask(answer.page.title) }),
    },
    locale: answer.locale,
    provider: answer.provider,
    model: answer.model,
    inputTokens: answer.usage.inputTokens,
    outputTokens: answer.usage.outputTokens,
    costUsd: price && answerCost(answer.usage, price),
    firstTokenMs: answer.firstTokenMs,
    totalMs: answer.totalMs,
    cached: answer.cached,
  };
}

/**
 * The conversation log as the chat path sees it: `answerFinished` and `feedbackGiven` only queue,
 * and a timer writes the queue in batches. When the store fails (a database down), the entries
 * stay queued and are written once it is back, up to `maxQueued` (the oldest are dropped past it,
 * counted in the log line that reports the recovery). One warning when the outage starts, one line
 * when it ends. Masking and cost are worked out at write time, off the answer's path.
 */
export class BufferedAnswerLog
  extends AnswerLog
  implements OnModuleInit, BeforeApplicationShutdown
{
  private readonly logger = new Logger('ConversationLog');
  private queue: Queued[] = [];
  private timer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private failingSince?: number;
  private dropped = 0;

  constructor(
    private readonly store: ConversationLogStore,
    private readonly settings: AnswerLogSettings,
  ) {
    super();
  }

  /** The store is opened in the background: a database down at start-up delays no visitor. */
  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.settings.flushIntervalMs);
    this.timer.unref();
    void this.flush();
  }

  /** Before the store closes (on `onApplicationShutdown`), the last entries are written. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    const deadline = new Promise<void>((resolve) =>
      setTimeout(resolve, this.settings.shutdownFlushMs).unref(),
    );
    await Promise.race([this.flush(), deadline]);
    if (this.queue.length > 0) {
      this.logger.warn(`${this.queue.length} log entries were not written before shutdown`);
    }
  }

  answerFinished(answer: FinishedAnswer): void {
    this.enqueue({ kind: 'answer', answer });
  }

  feedbackGiven(feedback: GivenFeedback): void {
    this.enqueue({ kind: 'feedback', feedback, at: Date.now() });
  }

  /** Entries waiting to be written. */
  get pending(): number {
    return this.queue.length;
  }

  /**
   * Writes what is queued now; resolves when done or failed (never rejects). A write already
   * under way is waited for first: it does not hold what was queued since it began.
   */
  async flush(): Promise<void> {
    await this.flushing;
    this.flushing ??= this.writeQueued().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  private enqueue(entry: Queued): void {
    this.queue.push(entry);
    if (this.queue.length > this.settings.maxQueued) {
      this.queue.shift();
      this.dropped += 1;
    }
  }

  private async writeQueued(): Promise<void> {
    const batch = this.queue;
    this.queue = [];
    try {
      // Opened even with nothing to write, so an outage at start-up is reported, and its end.
      await this.store.init();
      const answers = batch.flatMap((item) =>
        item.kind === 'answer' ? [toAnswerEntry(item.answer, this.settings)] : [],
      );
      const feedback = batch.flatMap((item): FeedbackEntry[] =>
        item.kind === 'feedback'
          ? [
              {
                ...item.feedback,
                comment:
                  item.feedback.comment === undefined || this.settings.storePii
                    ? item.feedback.comment
                    : maskPii(item.feedback.comment),
                ratedAt: item.at,
              },
            ]
          : [],
      );
      if (answers.length) await this.store.writeAnswers(answers);
      if (feedback.length) await this.store.writeFeedback(feedback);
      this.recovered();
    } catch (error) {
      // Written again next time: writes are idempotent, so a half-written batch is harmless.
      this.queue = [...batch, ...this.queue];
      const excess = this.queue.length - this.settings.maxQueued;
      if (excess > 0) {
        this.queue.splice(0, excess);
        this.dropped += excess;
      }
      this.failing(error);
    }
  }

  private failing(error: unknown): void {
    if (this.failingSince !== undefined) return;
    this.failingSince = Date.now();
    this.logger.warn(
      `The conversation log cannot be written (${(error as Error).message}); answers go on, ` +
        `and up to ${this.settings.maxQueued} entries wait in memory until it is back`,
    );
  }

  private recovered(): void {
    if (this.failingSince === undefined) return;
    const seconds = Math.round((Date.now() - this.failingSince) / 1000);
    this.logger.log(
      `The conversation log is written again after ${seconds} s` +
        (this.dropped ? `; ${this.dropped} entries were dropped meanwhile` : ''),
    );
    this.failingSince = undefined;
    this.dropped = 0;
  }
}
