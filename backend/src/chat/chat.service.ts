import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '../config/config.service';
import { Drain } from '../health/drain';
import { type ChatTurn, LlmError, LlmProvider } from '../llm/llm-provider';
import { guardStream } from '../llm/stream-guard';
import { Metrics } from '../metrics/metrics';
import { Retriever } from '../retrieval/retriever';
import { Quotas, type Visitor } from '../security/quotas';
import { ChatError, toErrorPayload } from './chat-error';
import { ConversationStore } from './conversation.store';
import { parseAsk, parseCancel, parseFeedback } from './payloads';
import { buildRequest, numberSources, toSources } from './prompt';
import { type AskAccepted, type ErrorPayload, type Source, type Usage } from './protocol';

/** Where one answer goes: the gateway binds it to the asking socket. */
export interface AnswerSink {
  token(text: string): void;
  sources(sources: Source[]): void;
  done(usage: Usage, cancelled: boolean): void;
  error(error: ErrorPayload): void;
}

interface Generation {
  clientId: string;
  visitor: Visitor;
  conversationId: string;
  messageId: string;
  question: string;
  controller: AbortController;
}

export interface AcceptedAsk extends AskAccepted {
  /** Streams the answer into the sink. Never rejects: failures go to `sink.error`. */
  answer(sink: AnswerSink): Promise<void>;
}

/**
 * Retrieval-augmented answering: retrieve → prompt → stream tokens → sources → done, one answer at a
 * time per conversation, every answer stoppable by its visitor.
 */
@Injectable()
export class ChatService {
  private readonly logger = new Logger(ChatService.name);
  private readonly generations = new Map<string, Generation>();
  /** Answers still running, so a drain can wait for them. */
  private readonly answering = new Set<Promise<void>>();

  constructor(
    private readonly config: ConfigService,
    private readonly retriever: Retriever,
    private readonly llm: LlmProvider,
    private readonly conversations: ConversationStore,
    private readonly quotas: Quotas,
    private readonly drain: Drain,
    private readonly metrics: Metrics,
  ) {
    drain.onDrain((deadline) => this.finishAnswers(deadline));
  }

  /**
   * Validates a question, counts it against the visitor's quotas and reserves its conversation;
   * the caller acks, then calls `answer`.
   */
  async accept(clientId: string, payload: unknown, visitor: Visitor): Promise<AcceptedAsk> {
    const { chat } = this.config.config;
    const ask = parseAsk(payload, chat.maxMessageChars);
    if (this.drain.draining) {
      // The widget shows this code as "not available, retry"; by then it is reconnecting.
      throw new ChatError(
        'provider_unavailable',
        'This server is shutting down. Reconnect and ask again.',
      );
    }
    const conversationId = ask.conversationId ?? (await this.conversations.create());
    const history = await this.conversations.history(conversationId);
    if (!history) {
      throw new ChatError(
        'conversation_not_found',
        'This conversation has expired or is unknown. Ask again without a conversationId to start a new one.',
      );
    }
    if (this.inFlight(conversationId)) {
      throw new ChatError(
        'bad_request',
        'An answer is still streaming in this conversation. Wait for it or cancel it first.',
      );
    }
    await this.quotas.admitQuestion(visitor);
    const generation: Generation = {
      clientId,
      visitor,
      conversationId,
      messageId: randomUUID(),
      question: ask.text,
      controller: new AbortController(),
    };
    this.generations.set(generation.messageId, generation);
    return {
      conversationId,
      messageId: generation.messageId,
      answer: (sink) => {
        const answering = this.answer(generation, history, sink);
        this.answering.add(answering);
        void answering.finally(() => this.answering.delete(answering));
        return answering;
      },
    };
  }

  /** Stops an answer of this client's. Unknown or finished answers are ignored: it raced `done`. */
  cancel(clientId: string, payload: unknown): void {
    const { messageId } = parseCancel(payload);
    const generation = this.generations.get(messageId);
    if (generation?.clientId === clientId) generation.controller.abort();
  }

  /** Stops every answer of a client that went away, so no provider keeps generating for nobody. */
  abandon(clientId: string): void {
    for (const generation of this.generations.values()) {
      if (generation.clientId === clientId) generation.controller.abort();
    }
  }

  async feedback(payload: unknown): Promise<void> {
    const feedback = parseFeedback(payload);
    const conversationId = await this.conversations.conversationOf(feedback.messageId);
    if (!conversationId) {
      throw new ChatError('bad_request', 'Feedback refers to an unknown or expired answer.');
    }
    // One structured line per rating: the log is where operators (and CloudWatch) read feedback.
    this.logger.log(JSON.stringify({ event: 'feedback', conversationId, ...feedback }));
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
    const { llm, retrieval } = this.config.config;
    const { signal } = generation.controller;
    let answer = '';
    const startedAt = performance.now();
    this.metrics.questionAsked();
    try {
      const passages = await this.retriever.retrieve(generation.question, {
        limit: retrieval.topK,
      });
      this.metrics.retrievalFinished(performance.now() - startedAt);
      const sources = numberSources(passages);
      const request = buildRequest(generation.question, history, sources);
      let usage: Usage = { inputTokens: 0, outputTokens: 0 };
      const events = guardStream((providerSignal) => this.llm.stream(request, providerSignal), {
        idleTimeoutMs: llm.timeoutMs,
        signal,
      });
      for await (const event of events) {
        if (event.type === 'usage') {
          usage = event.usage;
        } else {
          if (answer === '') this.metrics.firstToken(performance.now() - startedAt);
          answer += event.text;
          sink.token(event.text);
        }
      }
      sink.sources(toSources(sources));
      sink.done(usage, signal.aborted);
      this.metrics.answered(usage);
      await this.quotas.chargeTokens(generation.visitor, usage);
      await this.conversations.append(generation.conversationId, {
        messageId: generation.messageId,
        question: generation.question,
        answer,
      });
    } catch (error) {
      if (error instanceof LlmError) this.metrics.providerError(error.failure);
      sink.error(toErrorPayload(error, generation.messageId));
    } finally {
      this.generations.delete(generation.messageId);
    }
  }
}
