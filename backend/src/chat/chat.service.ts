import { randomUUID } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '../config/config.service';
import { type ChatTurn, LlmProvider } from '../llm/llm-provider';
import { guardStream } from '../llm/stream-guard';
import { Retriever } from '../retrieval/retriever';
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

  constructor(
    private readonly config: ConfigService,
    private readonly retriever: Retriever,
    private readonly llm: LlmProvider,
    private readonly conversations: ConversationStore,
  ) {}

  /** Validates a question and reserves its conversation; the caller acks, then calls `answer`. */
  async accept(clientId: string, payload: unknown): Promise<AcceptedAsk> {
    const { chat } = this.config.config;
    const ask = parseAsk(payload, chat.maxMessageChars);
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
    const generation: Generation = {
      clientId,
      conversationId,
      messageId: randomUUID(),
      question: ask.text,
      controller: new AbortController(),
    };
    this.generations.set(generation.messageId, generation);
    return {
      conversationId,
      messageId: generation.messageId,
      answer: (sink) => this.answer(generation, history, sink),
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
    try {
      const passages = await this.retriever.retrieve(generation.question, {
        limit: retrieval.topK,
      });
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
          answer += event.text;
          sink.token(event.text);
        }
      }
      sink.sources(toSources(sources));
      sink.done(usage, signal.aborted);
      await this.conversations.append(generation.conversationId, {
        messageId: generation.messageId,
        question: generation.question,
        answer,
      });
    } catch (error) {
      sink.error(toErrorPayload(error, generation.messageId));
    } finally {
      this.generations.delete(generation.messageId);
    }
  }
}
