import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '../config/config.service';
import { Drain } from '../health/drain';
import { LlmError } from '../llm/llm-error';
import {
  type ChatTurn,
  estimatePromptTokens,
  type LlmDescription,
  LlmProvider,
  sameModel,
} from '../llm/llm-provider';
import { AnswerLog } from '../analytics/answer-log';
import { transcriptOf } from '../handoff/handoff-record';
import { HandoffService } from '../handoff/handoff.service';
import { withLogContext } from '../logging/log-context';
import { Metrics } from '../metrics/metrics';
import { Quotas, type TokenReservation, type Visitor } from '../security/quotas';
import { estimateTokens } from '../text/tokens';
import { VectorStore } from '../vector-store/vector-store';
import { AnswerPipeline } from './answer/answer-pipeline';
import { type AnswerEnd, type Generation, recordAnswer, replayCachedAnswer } from './answer-record';
import { ChatError, conversationNotFound, toErrorPayload } from './chat-error';
import { type ConversationOwner, ConversationStore } from './conversation-store/conversation-store';
import { parseAsk, parseCancel, parseFeedback, parseHandoff } from './payloads';
import { toSources } from './prompt';
import {
  type AnswerOutcome,
  type AskAccepted,
  type AskPayload,
  type ErrorPayload,
  type HandoffAccepted,
  type Source,
  type Usage,
} from '@lorechat/contracts';
import {
  type CachedAnswer,
  ResponseCache,
  type ResponseCacheKey,
  normaliseQuestion,
} from './response-cache/response-cache';

/** Where one answer goes: the gateway binds it to the asking socket. */
export interface AnswerSink {
  token(text: string): void;
  sources(sources: Source[]): void;
  done(usage: Usage, cancelled: boolean, outcome: AnswerOutcome): void;
  error(error: ErrorPayload): void;
}

export interface AcceptedAsk extends AskAccepted {
  /** Streams the answer into the sink. Never rejects: failures go to `sink.error`. */
  answer(sink: AnswerSink): Promise<void>;
}

/**
 * Retrieval-augmented answering through the answer pipeline (condense → retrieve → decide → write →
 * check citations), streamed as tokens → sources → done, one answer at a time per conversation,
 * every answer stoppable by its visitor.
 */
@Injectable()
export class ChatService {
  private readonly logger = new Logger(ChatService.name);
  private readonly generations = new Map<string, Generation>();
  /** Answers still running, so a drain can wait for them. */
  private readonly answering = new Set<Promise<void>>();

  constructor(
    private readonly config: ConfigService,
    private readonly pipeline: AnswerPipeline,
    private readonly llm: LlmProvider,
    private readonly conversations: ConversationStore,
    private readonly quotas: Quotas,
    private readonly drain: Drain,
    private readonly metrics: Metrics,
    private readonly responseCache: ResponseCache,
    private readonly vectorStore: VectorStore,
    private readonly answerLog: AnswerLog,
    private readonly handoffs: HandoffService,
  ) {
    drain.onDrain((deadline) => this.finishAnswers(deadline));
  }

  /**
   * Validates a question, counts it against the visitor's quotas, then finds the visitor's
   * conversation or starts one; the caller acks, then calls `answer`. A refused question leaves
   * nothing behind: quotas come before any conversation exists.
   */
  async accept(clientId: string, payload: unknown, visitor: Visitor): Promise<AcceptedAsk> {
    const { chat, llm } = this.config.config;
    const ask = parseAsk(payload, chat.maxMessageChars);
    if (this.drain.draining) {
      // The widget shows this code as "not available, retry"; by then it is reconnecting.
      throw new ChatError(
        'provider_unavailable',
        'This server is shutting down. Reconnect and ask again.',
      );
    }
    // The least any answer can reserve: a budget that cannot hold it is refused here, before the
    // ack. The full reservation waits for the request (history and sources) in `answer`.
    await this.quotas.admitQuestion(visitor, estimateTokens(ask.text) + llm.maxOutputTokens);
    const owner = ownerOf(visitor);
    let conversationId: string;
    let history: ChatTurn[];
    if (ask.conversationId === undefined) {
      conversationId = await this.conversations.create(owner);
      history = [];
    } else {
      conversationId = ask.conversationId;
      const found = await this.conversations.history(conversationId, owner);
      if (!found) throw conversationNotFound('conversation');
      if (this.inFlight(conversationId)) {
        throw new ChatError(
          'bad_request',
          'An answer is still streaming in this conversation. Wait for it or cancel it first.',
        );
      }
      history = found;
    }
    const generation: Generation = {
      clientId,
      visitor,
      conversationId,
      messageId: randomUUID(),
      question: ask.text,
      page: ask.page,
      locale: ask.locale,
      askedAt: Date.now(),
      controller: new AbortController(),
    };
    this.generations.set(generation.messageId, generation);
    return {
      conversationId,
      messageId: generation.messageId,
      answer: (sink) => {
        // Every line logged while answering names the answer, so one answer can be followed.
        const ids = { connectionId: clientId, conversationId, messageId: generation.messageId };
        const answering = withLogContext(ids, () => this.answer(generation, history, sink));
        this.answering.add(answering);
        void answering.finally(() => this.answering.delete(answering));
        return answering;
      },
    };
  }

  /**
   * Stops an answer of this client's. An unknown or finished answer is ignored (the cancel raced
   * `done`), reported as not stopped: another task may be running it.
   */
  cancel(clientId: string, payload: unknown): { messageId: string; stopped: boolean } {
    const { messageId } = parseCancel(payload);
    const generation = this.generations.get(messageId);
    if (generation?.clientId !== clientId) return { messageId, stopped: false };
    generation.controller.abort();
    return { messageId, stopped: true };
  }

  /** Stops every answer of a client that went away, so no provider keeps generating for nobody. */
  abandon(clientId: string): void {
    for (const generation of this.generations.values()) {
      if (generation.clientId === clientId) generation.controller.abort();
    }
  }

  /** Takes a rating of one of this visitor's answers, counted against their per-minute limit. */
  async feedback(payload: unknown, visitor: Visitor): Promise<void> {
    const feedback = parseFeedback(payload);
    await this.quotas.admitFeedback(visitor);
    const conversationId = await this.conversations.conversationOf(
      feedback.messageId,
      ownerOf(visitor),
    );
    if (!conversationId) throw conversationNotFound('answer');
    const { messageId, rating, comment } = feedback;
    // One line per rating: the log is where operators (and CloudWatch) read feedback. The comment
    // is the visitor's own words, logged only with LOG_CONTENT.
    const content = this.config.config.server.logContent && comment !== undefined && { comment };
    this.logger.log({ msg: 'feedback', conversationId, messageId, rating, ...content });
    this.answerLog.feedbackGiven({
      messageId,
      conversationId,
      visitorId: visitor.id,
      rating,
      comment,
    });
  }

  /**
   * Sends the conversation so far to the site owner with the visitor's address and message. The
   * transcript is the server's own memory of the conversation, not what the widget says it was.
   */
  async handoff(payload: unknown, visitor: Visitor): Promise<HandoffAccepted> {
    const request = parseHandoff(payload, this.config.config.chat.maxMessageChars);
    if (!this.handoffs.available) {
      throw new ChatError('bad_request', 'This site does not take requests to talk to a person.');
    }
    const history = request.conversationId
      ? await this.conversations.history(request.conversationId, ownerOf(visitor))
      : undefined;
    return this.handoffs.request(request, transcriptOf(history ?? []), visitor);
  }

  /** Whether this client has an answer streaming. */
  isAnswering(clientId: string): boolean {
    for (const generation of this.generations.values()) {
      if (generation.clientId === clientId) return true;
    }
    return false;
  }

  /** Lets every answer in flight finish, and stops those still running at the deadline. */
  private async finishAnswers(deadline: AbortSignal): Promise<void> {
    const stopAll = () => {
      for (const generation of this.generations.values()) generation.controller.abort();
    };
    deadline.addEventListener('abort', stopAll, { once: true });
    await Promise.allSettled([...this.answering]);
    deadline.removeEventListener('abort', stopAll);
  }

  private inFlight(conversationId: string): boolean {
    for (const generation of this.generations.values()) {
      if (generation.conversationId === conversationId) return true;
    }
    return false;
  }

  private async answer(
    generation: Generation,
    history: ChatTurn[],
    sink: AnswerSink,
  ): Promise<void> {
    const { llm } = this.config.config;
    const { signal } = generation.controller;
    const startedAt = performance.now();
    let reservation: TokenReservation | undefined;
    let promptTokens = 0;
    /** What rewriting a follow-up into a searchable question cost, spent before the answer. */
    let condensing: Usage | undefined;
    let reported: Usage | undefined;
    // Who wrote the answer, as its usage event says; unknown for a cached answer or a failure.
    let servedBy: LlmDescription | undefined;
    const end: AnswerEnd = {
      answer: '',
      sources: [],
      usage: { inputTokens: 0, outputTokens: 0 },
      cancelled: false,
      cached: false,
    };
    this.metrics.questionAsked();
    try {
      const cacheKey =
        history.length === 0
          ? await this.cacheKeyOf(generation.question, generation.page)
          : undefined;
      const cached = cacheKey && (await this.lookUp(cacheKey));
      if (cached) {
        end.cached = true;
        replayCachedAnswer(generation, cached, sink, end, startedAt);
        // Remembered, so follow-ups have their context.
        await this.remember(generation, end.answer);
        return;
      }
      const { question, page } = generation;
      const prepared = await this.pipeline.prepare({ question, history, page }, signal);
      this.metrics.retrievalFinished(prepared.timings.retrieveMs ?? 0);
      condensing = prepared.condensed.usage;
      // Reserved before the model writes, from the prompt's size and the longest answer, so that
      // answers running in parallel cannot together overspend a budget.
      promptTokens = prepared.request ? estimatePromptTokens(prepared.request) : 0;
      reservation = await this.quotas.reserveTokens(
        generation.visitor,
        (condensing ? condensing.inputTokens + condensing.outputTokens : 0) +
          (prepared.request ? promptTokens + llm.maxOutputTokens : 0),
      );
      const written = await this.pipeline.write(
        prepared,
        (text) => {
          if (end.firstTokenMs === undefined) {
            end.firstTokenMs = performance.now() - startedAt;
            this.metrics.firstToken(end.firstTokenMs);
          }
          sink.token(text);
        },
        signal,
      );
      servedBy = written.servedBy;
      end.answer = written.answer;
      end.usage = written.usage;
      // Known when the model reported it, or when no model was asked; a stopped stream reports
      // nothing, and is charged by estimate below.
      if (written.servedBy || !prepared.request) reported = written.usage;
      // An answer that says the site does not cover the question cites nothing.
      end.sources = written.outcome === 'answered' ? toSources(prepared.sources) : [];
      end.cancelled = signal.aborted;
      // A stopped answer's outcome is the conversation log's to tell (cancelled).
      if (!end.cancelled) end.outcome = written.outcome;
      end.steps = {
        steps: prepared.timings,
        followUp: prepared.condensed.method,
        ...(written.droppedCitations > 0 && { droppedCitations: written.droppedCitations }),
      };
      const { answer, usage } = end;
      sink.sources(end.sources);
      sink.done(usage, end.cancelled, written.outcome);
      this.metrics.answered(usage);
      await this.remember(generation, answer);
      // Only a whole answer is worth reusing: a cancelled one stops mid-sentence. Only the
      // configured model's, too: a fallback's answer would later be served as the primary's.
      if (
        cacheKey &&
        !signal.aborted &&
        written.outcome === 'answered' &&
        sameModel(servedBy, this.llm.describe())
      ) {
        await this.responseCache.set(cacheKey, { answer, sources: end.sources });
      }
    } catch (error) {
      if (error instanceof LlmError) this.metrics.providerError(error.failure);
      const payload = toErrorPayload(error, generation.messageId);
      sink.error(payload);
      end.cancelled = signal.aborted;
      end.errorCode = payload.code;
    } finally {
      this.generations.delete(generation.messageId);
      // An answer stopped or broken off reports no usage, yet the model read the prompt and wrote
      // what was streamed: that much is charged, estimated, so stopping answers is not free.
      const streamed =
        end.answer !== '' || signal.aborted
          ? { inputTokens: promptTokens, outputTokens: estimateTokens(end.answer) }
          : { inputTokens: 0, outputTokens: 0 };
      const spent = reported ?? {
        inputTokens: streamed.inputTokens + (condensing?.inputTokens ?? 0),
        outputTokens: streamed.outputTokens + (condensing?.outputTokens ?? 0),
      };
      await this.settle(reservation, spent);
      recordAnswer(
        {
          logger: this.logger,
          answerLog: this.answerLog,
          logContent: this.config.config.server.logContent,
        },
        generation,
        startedAt,
        servedBy ?? this.llm.describe(),
        end,
      );
    }
  }

  /** A budget store failing must not fail the answer that has already been given. */
  private async settle(reservation: TokenReservation | undefined, spent: Usage): Promise<void> {
    try {
      await reservation?.settle(spent);
    } catch (error) {
      this.logger.warn(`Token budget not settled: ${String(error)}`);
    }
  }

  /**
   * The cache key of a first question, or undefined when the cache is off or the index version is
   * unknown: without the version an answer could outlive the index it came from.
   */
  private async cacheKeyOf(
    question: string,
    page: AskPayload['page'],
  ): Promise<ResponseCacheKey | undefined> {
    const { chat, llm } = this.config.config;
    if (!chat.responseCache.enabled) return undefined;
    try {
      const { indexVersion } = await this.vectorStore.stats();
      return {
        // "What does this cost?" means something else on every page.
        question: page
          ? `${normaliseQuestion(question)}\n${page.url}`
          : normaliseQuestion(question),
        indexVersion,
        provider: llm.provider,
        model: llm.model,
      };
    } catch (error) {
      this.logger.warn(`Response cache skipped: index version unavailable (${String(error)})`);
      return undefined;
    }
  }

  /** A cache that fails open (see its factory): a failure is a miss, never the answer's end. */
  private async lookUp(key: ResponseCacheKey): Promise<CachedAnswer | undefined> {
    const cached = await this.responseCache.get(key);
    this.metrics.responseCacheLookup(cached !== undefined);
    return cached;
  }

  private async remember(generation: Generation, answer: string): Promise<void> {
    await this.conversations.append(generation.conversationId, ownerOf(generation.visitor), {
      messageId: generation.messageId,
      question: generation.question,
      answer,
    });
  }
}

function ownerOf(visitor: Visitor): ConversationOwner {
  return { siteKey: visitor.siteKey, visitorId: visitor.id };
}
