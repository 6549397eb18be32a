import { setImmediate as nextTurn } from 'node:timers/promises';
import { type Analyzer } from '../../text/analyzer';
import { estimateTokens } from '../../text/tokens';
import {
  type LlmDescription,
  type LlmEvent,
  LlmProvider,
  type LlmRequest,
  type NumberedSource,
} from '../llm-provider';

const MAX_QUOTES = 3;
/**
 * Longest quote, in characters: a unit with no sentence break (a run-on paragraph, a table row)
 * is shown up to here, cut at a word, so an answer stays short however the page is written.
 */
export const MAX_QUOTE_CHARS = 600;

const OFFLINE_NOTE =
  '_Offline answer: no language model is configured, so these are the most relevant passages, quoted._';
const NOTHING_FOUND =
  "I couldn't find anything about that in the indexed pages. Try other words, or ask about " +
  'something these pages cover.\n\n' +
  OFFLINE_NOTE;

interface Quote {
  sourceNumber: number;
  position: number;
  text: string;
  /** The code block right after the quote, which it explains, shown with it. */
  followedBy?: string;
  score: number;
}

/**
 * The answerer for running without any model or key: it picks the sentences, list items and
 * commands of the retrieved passages that share the most words with the question, and cites them.
 * It never invents text, and says plainly that it is an offline answer.
 */
export class ExtractiveProvider extends LlmProvider {
  constructor(private readonly analyzer: Analyzer) {
    super();
  }

  describe(): LlmDescription {
    return { provider: 'extractive', model: 'extractive' };
  }

  async *stream(request: LlmRequest, signal: AbortSignal): AsyncIterable<LlmEvent> {
    const answer = composeAnswer(request.question, request.sources, this.analyzer);
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
): string {
  const questionTerms = new Set(analyzer.terms(question));
  const quotes = sources
    .flatMap((source) => quotesOf(source, questionTerms, analyzer))
    .filter((quote) => quote.score > 0)
    .sort((left, right) => right.score - left.score)
    .slice(0, MAX_QUOTES)
    .sort(
      (left, right) => left.sourceNumber - right.sourceNumber || left.position - right.position,
    );
  if (quotes.length === 0) return NOTHING_FOUND;
  // Pages often repeat the same command: show each block once, under its first quote.
  const shownBlocks = new Set<string>();
  const body = quotes.map((quote) => {
    const cited = `${quote.text} [${quote.sourceNumber}]`;
    if (!quote.followedBy || shownBlocks.has(quote.followedBy)) return cited;
    shownBlocks.add(quote.followedBy);
    return `${cited}\n\n${quote.followedBy}`;
  });
  return `${body.join('\n\n')}\n\n${OFFLINE_NOTE}`;
}

function quotesOf(source: NumberedSource, questionTerms: Set<string>, analyzer: Analyzer): Quote[] {
  const blocks = source.text.split(/\n{2,}/).map((block) => block.trim());
  const quotes: Quote[] = [];
  blocks.forEach((block, index) => {
    if (block.startsWith('```') || block.startsWith('~~~') || block.startsWith('|')) return;
    const next = blocks[index + 1];
    const units = /^\s*([-*+]|\d+\.)\s/.test(block)
      ? block.split(/\n(?=\s*(?:[-*+]|\d+\.)\s)/)
      : sentencesOf(block);
    units.forEach((unit) => {
      const text = clip(unit.replace(/\s*\n\s*/g, ' ').trim());
      // Docs put a command right after the paragraph that explains it ("Run this:", "Paste it.").
      const introducesCode = next?.startsWith('```');
      quotes.push({
        sourceNumber: source.number,
        position: quotes.length,
        text,
        followedBy: introducesCode ? next : undefined,
        // Earlier sources ranked higher in retrieval: prefer them when overlap ties.
        score: overlap(analyzer.terms(text), questionTerms) * (1 + 1 / (source.number + 1)),
      });
    });
  });
  return quotes;
}

function clip(text: string): string {
  if (text.length <= MAX_QUOTE_CHARS) return text;
  const cut = text.slice(0, MAX_QUOTE_CHARS);
  const space = cut.lastIndexOf(' ');
  return `${space > MAX_QUOTE_CHARS / 2 ? cut.slice(0, space) : cut}…`;
}

function sentencesOf(paragraph: string): string[] {
  return paragraph.split(/(?<=[.!?])\s+(?=[\p{Lu}\p{N}`"'(])/u);
}

/** Distinct question words the unit shares, discounted for long units that match by sheer size. */
function overlap(terms: string[], questionTerms: Set<string>): number {
  const shared = new Set(terms.filter((term) => questionTerms.has(term))).size;
  return shared === 0 ? 0 : shared / Math.sqrt(Math.max(terms.length, 8) / 8);
}
