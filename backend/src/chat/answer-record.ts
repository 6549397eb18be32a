import { type Logger } from '@nestjs/common';
import {
  type AnswerOutcome,
  type AskPayload,
  type ErrorPayload,
  type Source,
  type Usage,
} from '@lorechat/contracts';
import { type AnswerLog } from '../analytics/answer-log';
import { type LlmDescription } from '../llm/llm-provider';
import { type Visitor } from '../security/quotas';
import { type CachedAnswer } from './response-cache/response-cache';

/** One answer in flight, from the accepted question to its end. */
export interface Generation {
  clientId: string;
  visitor: Visitor;
  conversationId: string;
  messageId: string;
  question: string;
  /** Where the widget was and its language, for the conversation log. */
  page: AskPayload['page'];
  locale: AskPayload['locale'];
  /** Epoch ms when the question was accepted. */
  askedAt: number;
  controller: AbortController;
}

/** What one answer ended with, for its log line and the conversation log. */
export interface AnswerEnd {
  answer: string;
  sources: Source[];
  usage: Usage;
  cancelled: boolean;
  /** Whether the site's pages answered it, when the answer ran to its end. */
  outcome?: AnswerOutcome;
  /** What the answer's log line adds: each step's time, how a follow-up was read. */
  steps?: object;
  errorCode?: ErrorPayload['code'];
  firstTokenMs?: number;
  cached: boolean;
}

/** Where an answer's end is written down. */
export interface AnswerRecorders {
  logger: Logger;
  answerLog: AnswerLog;
  /** LOG_CONTENT: whether the log line may hold what the visitor typed. */
  logContent: boolean;
}

/**
 * One line per answer, however it ended, naming the provider and model that wrote it (a fallback
 * when the primary failed); the log context adds the answer's ids. The same end goes to the
 * conversation log.
 */
export function recordAnswer(
  { logger, answerLog, logContent }: AnswerRecorders,
  generation: Generation,
  startedAt: number,
  servedBy: LlmDescription,
  end: AnswerEnd,
): void {
  const content = logContent && {
    question: generation.question,
    ip: generation.visitor.ip,
    ...(generation.page && { pageUrl: generation.page.url }),
  };
  const totalMs = performance.now() - startedAt;
  logger.log({
    msg: 'answer finished',
    provider: servedBy.provider,
    model: servedBy.model,
    durationMs: Math.round(totalMs),
    ...(end.errorCode === undefined && end.usage),
    cancelled: end.cancelled,
    ...(end.outcome && { outcome: end.outcome }),
    ...end.steps,
    ...(end.errorCode !== undefined && { errorCode: end.errorCode }),
    ...content,
  });
  answerLog.answerFinished({
    conversationId: generation.conversationId,
    messageId: generation.messageId,
    visitorId: generation.visitor.id,
    siteKey: generation.visitor.siteKey,
    askedAt: generation.askedAt,
    question: generation.question,
    answer: end.answer,
    sources: end.sources,
    outcome: end.outcome,
    cancelled: end.cancelled,
    errorCode: end.errorCode,
    page: generation.page,
    locale: generation.locale,
    provider: servedBy.provider,
    model: servedBy.model,
    usage: end.usage,
    firstTokenMs: end.firstTokenMs,
    totalMs,
    cached: end.cached,
  });
}

/** The part of an answer sink a replay writes to. */
interface ReplaySink {
  token(text: string): void;
  sources(sources: Source[]): void;
  done(usage: Usage, cancelled: boolean, outcome: AnswerOutcome): void;
}

/**
 * Streams a cached answer with the events of a live one, word by word so the widget renders it
 * the same way. `done` reports zero usage: no model tokens were spent, which is also why the
 * token quotas are not charged (the question was counted when it was accepted) and no token or
 * cost metrics are written. Fills in `end` as the answer goes.
 */
export function replayCachedAnswer(
  generation: Generation,
  cached: CachedAnswer,
  sink: ReplaySink,
  end: AnswerEnd,
  startedAt: number,
): void {
  const { signal } = generation.controller;
  for (const token of cached.answer.match(/\s+|\S+\s*/gu) ?? []) {
    if (signal.aborted) break;
    end.firstTokenMs ??= performance.now() - startedAt;
    end.answer += token;
    sink.token(token);
  }
  end.sources = cached.sources;
  sink.sources(cached.sources);
  end.cancelled = signal.aborted;
  // Only answers that found their answer are cached.
  if (!end.cancelled) end.outcome = 'answered';
  sink.done(end.usage, end.cancelled, 'answered');
}
