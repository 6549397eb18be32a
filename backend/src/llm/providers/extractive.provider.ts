import { setImmediate as nextTurn } from 'node:timers/promises';
import { type Analyzer } from '../../text/analyzer';
import { coverageOf, isAnswerable } from '../../text/answerability';
import { pageTitle } from '../../text/markdown-text';
import { questionLanguage, quotedInNote } from '../../text/question-language';
import { estimateTokens } from '../../text/tokens';
import {
  type LlmDescription,
  type LlmEvent,
  LlmProvider,
  type LlmRequest,
  type NumberedSource,
} from '../llm-provider';
import { pickQuotes } from './sentence-picker';

const OFFLINE_NOTE = '_Offline answer: quoted from this site, no language model is configured._';

/** What the offline answerer says when the passages do not cover the question. */
export const NOT_FOUND_ANSWER =
  "I couldn't find that on this site. Try other words, or ask about something its pages cover.";

/**
 * The answerer for running without any model or key: it quotes the sentences, list items and table
 * rows of the retrieved passages that answer the question (see `pickQuotes`), and cites them. It
 * never invents text, says when a quote is in another language than the question, and says plainly
 * when the passages do not cover the question.
 */
export class ExtractiveProvider extends LlmProvider {
  constructor(private readonly analyzer: Analyzer) {
    super();
  }

  describe(): LlmDescription {
    return { provider: 'extractive', model: 'extractive' };
  }

  async *stream(request: LlmRequest, signal: AbortSignal): AsyncIterable<LlmEvent> {
    const earlier = request.messages
      .slice(0, -1)
      .filter((turn) => turn.role === 'user')
      .map((turn) => turn.content);
    // "What does this cost?" asked on a page is about that page.
    if (request.page?.title) earlier.push(pageTitle(request.page.title));
    const answer = composeAnswer(request.question, request.sources, this.analyzer, earlier);
    for (const piece of answer.match(/\s*\S+/g) ?? []) {
      // Yield to the event loop between words so a cancel is seen mid-answer, as with a model.
      await nextTurn();
      if (signal.aborted) return;
      yield { type: 'token', text: piece };
    }
    const input = request.sources.map((source) => source.text).join('\n') + request.question;
    yield {
      type: 'usage',
      usage: { inputTokens: estimateTokens(input), outputTokens: estimateTokens(answer) },
    };
  }
}

export function composeAnswer(
  question: string,
  sources: NumberedSource[],
  analyzer: Analyzer,
  earlierQuestions: string[] = [],
): string {
  const passages = sources.map((source) => ({ title: source.title, text: source.text }));
  const coverage = coverageOf([...earlierQuestions, question].join('\n'), passages, analyzer);
  const pagesLanguage = sources.some((source) => source.language === coverage.language)
    ? coverage.language
    : 'en';
  if (sources.length === 0 || !isAnswerable(coverage, { pagesLanguage })) return NOT_FOUND_ANSWER;
  const quotes = pickQuotes(question, sources, analyzer, earlierQuestions);
  if (quotes.length === 0) return NOT_FOUND_ANSWER;
  // Pages often repeat the same command: show each block once, under its first quote.
  const shownBlocks = new Set<string>();
  const body = quotes.map((quote) => {
    const cited = `${quote.text} [${quote.sourceNumber}]`;
    if (!quote.followedBy || shownBlocks.has(quote.followedBy)) return cited;
    shownBlocks.add(quote.followedBy);
    return `${cited}\n\n${quote.followedBy}`;
  });
  const language = questionLanguage(question);
  const quoteLanguages = new Set(
    quotes.map(
      (quote) => sources.find((source) => source.number === quote.sourceNumber)?.language ?? 'en',
    ),
  );
  const foreign = [...quoteLanguages].filter((tag) => tag !== language);
  const notes = foreign.length > 0 ? [`_${quotedInNote(language, foreign[0] ?? 'en')}_`] : [];
  return [...body, ...notes, OFFLINE_NOTE].join('\n\n');
}
