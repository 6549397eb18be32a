import { Injectable } from '@nestjs/common';
import { ConfigService } from '../../config/config.service';
import { normalizeUrl } from '../../common/url-normalizer';
import {
  type ChatTurn,
  type LlmDescription,
  LlmProvider,
  type LlmRequest,
  type NumberedSource,
} from '../../llm/llm-provider';
import { Analyzer } from '../../text/analyzer';
import { pageTitle } from '../../text/markdown-text';
import { Retriever } from '../../retrieval/retriever';
import { type ScoredChunk } from '../../vector-store/chunk';
import { VectorStore } from '../../vector-store/vector-store';
import { indexedUrlOf } from '../citation-url';
import { buildRequest, numberSources } from '../prompt';
import { type AnswerOutcome, type AskPage, type Usage } from '@lorechat/contracts';
import { CitationFilter, saysNotFound } from './citations';
import { type Condensed, condense } from './condense';
import { type Decision, decide } from './decide';
import { notFoundMessage } from './not-found';

/** How long each step of one answer took, for its log line. */
export type StepTimings = Partial<
  Record<'condenseMs' | 'retrieveMs' | 'decideMs' | 'writeMs' | 'checkMs', number>
>;

export interface AnswerInput {
  question: string;
  history: ChatTurn[];
  page?: AskPage;
}

/** What the steps before writing found: the search, the passages, whether they answer. */
export interface Prepared {
  input: AnswerInput;
  condensed: Condensed;
  passages: ScoredChunk[];
  decision: Decision;
  sources: NumberedSource[];
  /** What the model will be asked, when the passages answer: its size is reserved beforehand. */
  request?: LlmRequest;
  timings: StepTimings;
}

export interface Written {
  answer: string;
  usage: Usage;
  /** Who wrote it: the provider and model, or undefined when no model was called. */
  servedBy?: LlmDescription;
  outcome: AnswerOutcome;
  /** The sources the answer's markers cite, by number. */
  cited: number[];
  /** Markers that named no source and were dropped. */
  droppedCitations: number;
}

/**
 * One answer as explicit steps: condense (a follow-up made searchable) → retrieve → decide (do the
 * passages answer it?) → write (the model, or the site says nothing of it) → check citations
 * (markers must name a provided source; a model's "I could not find it" is `not_found`). Each step
 * is timed for the answer's log line; this is where further steps plug in.
 */
@Injectable()
export class AnswerPipeline {
  constructor(
    private readonly config: ConfigService,
    private readonly retriever: Retriever,
    private readonly llm: LlmProvider,
    private readonly analyzer: Analyzer,
    private readonly store: VectorStore,
  ) {}

  /** condense → retrieve → decide. */
  async prepare(input: AnswerInput, signal: AbortSignal): Promise<Prepared> {
    const { retrieval, chat, llm, server } = this.config.config;
    const timings: StepTimings = {};
    const condensed = await timed(timings, 'condenseMs', () =>
      condense(input.question, input.history, {
        // Offline there is no model to rewrite with: the follow-up is read with its context.
        llm: llm.provider === 'extractive' ? undefined : this.llm,
        timeoutMs: chat.condenseTimeoutMs,
        signal,
      }),
    );
    const pageUrl = input.page && normalizeUrl(input.page.url);
    const preferDocument = pageUrl && indexedUrlOf(pageUrl, server.publicUrl);
    const onPage = input.page?.title ? [pageTitle(input.page.title)] : [];
    const context = [...condensed.context, ...onPage];
    const passages = await timed(timings, 'retrieveMs', () =>
      this.retriever.retrieve(condensed.query, { limit: retrieval.topK, context, preferDocument }),
    );
    // A follow-up read with its context is decided with it, and a question asked on an indexed
    // page with the page's title as the site gives it: "how much is it?" is about its topic, "what
    // does this cost?" about the page. A page the index does not hold says nothing about what the
    // site covers.
    const onIndexedPage = passages.find(({ chunk }) => chunk.documentUrl === preferDocument);
    const decided = [
      ...condensed.context,
      ...(onIndexedPage ? [pageTitle(onIndexedPage.chunk.title)] : []),
      condensed.query,
    ].join('\n');
    const decision = await timed(timings, 'decideMs', () =>
      decide(decided, passages, this.analyzer, this.store),
    );
    const sources = decision.answerable
      ? numberSources(passages, this.config.config.server.publicUrl)
      : [];
    return {
      input,
      condensed,
      passages,
      decision,
      sources,
      request: decision.answerable
        ? buildRequest(input.question, input.history, sources, {
            page: input.page,
            searchedFor: condensed.method === 'rewritten' ? condensed.query : undefined,
          })
        : undefined,
      timings,
    };
  }

  /**
   * write → check. Tokens go to `onToken` as they pass the citation check. When the passages do
   * not answer, no model is called: the visitor reads that the site does not say.
   */
  async write(
    prepared: Prepared,
    onToken: (text: string) => void,
    signal: AbortSignal,
  ): Promise<Written> {
    const { input, request, sources, timings, condensed } = prepared;
    const started = performance.now();
    if (!request) {
      const answer = notFoundMessage(input.question);
      for (const piece of answer.match(/\s*\S+/g) ?? []) {
        if (signal.aborted) break;
        onToken(piece);
      }
      timings.writeMs = Math.round(performance.now() - started);
      return {
        answer,
        usage: condensed.usage ?? { inputTokens: 0, outputTokens: 0 },
        outcome: 'not_found',
        cited: [],
        droppedCitations: 0,
      };
    }
    const filter = new CitationFilter(sources.length);
    let answer = '';
    let usage: Usage = { inputTokens: 0, outputTokens: 0 };
    let servedBy: LlmDescription | undefined;
    let checkMs = 0;
    const show = (text: string) => {
      if (text === '') return;
      answer += text;
      onToken(text);
    };
    // Timeouts, retries and fallbacks happen inside: the provider is a ResilientLlmProvider.
    for await (const event of this.llm.stream(request, signal)) {
      if (event.type === 'usage') {
        usage = event.usage;
        servedBy = event.servedBy;
        continue;
      }
      const checked = performance.now();
      const text = filter.push(event.text);
      checkMs += performance.now() - checked;
      show(text);
    }
    show(filter.end());
    timings.writeMs = Math.round(performance.now() - started);
    const checked = performance.now();
    const outcome: AnswerOutcome = saysNotFound(answer) ? 'not_found' : 'answered';
    timings.checkMs = Math.round(checkMs + performance.now() - checked);
    return {
      answer,
      usage: addUsage(usage, condensed.usage),
      servedBy,
      outcome,
      cited: filter.cited,
      droppedCitations: filter.dropped,
    };
  }
}

async function timed<T>(
  timings: StepTimings,
  step: keyof StepTimings,
  run: () => Promise<T>,
): Promise<T> {
  const started = performance.now();
  try {
    return await run();
  } finally {
    timings[step] = Math.round(performance.now() - started);
  }
}

function addUsage(usage: Usage, extra: Usage | undefined): Usage {
  if (!extra) return usage;
  return {
    inputTokens: usage.inputTokens + extra.inputTokens,
    outputTokens: usage.outputTokens + extra.outputTokens,
  };
}
