import { type AnswerOutcome } from './log-record';

/** `[1]`, `[2][3]`, `[1, 2]`: the citation markers answers carry. */
const CITATION = /\[(\d+(?:\s*,\s*\d+)*)\]/g;

/** The source numbers (1-based) an answer's text cites. */
export function citedNumbers(answer: string): Set<number> {
  const cited = new Set<number>();
  for (const match of answer.matchAll(CITATION)) {
    for (const number of (match[1] ?? '').split(',')) cited.add(Number(number.trim()));
  }
  return cited;
}

export interface AnswerEnding {
  answer: string;
  sourceCount: number;
  cancelled: boolean;
  failed: boolean;
}

/**
 * How an answer ended, for answer paths that do not say so themselves. Every answerer is told to
 * cite each fact and to say plainly when the sources lack the answer, so an answer that cites none
 * of the sources it was given (or was given none) did not find the answer on the site.
 */
export function deriveOutcome({
  answer,
  sourceCount,
  cancelled,
  failed,
}: AnswerEnding): AnswerOutcome {
  if (failed) return 'error';
  if (cancelled) return 'cancelled';
  const cited = [...citedNumbers(answer)].some((number) => number >= 1 && number <= sourceCount);
  return cited ? 'answered' : 'not_found';
}
