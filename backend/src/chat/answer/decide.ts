import { type Analyzer } from '../../text/analyzer';
import { type Coverage, coverageOf, isAnswerable } from '../../text/answerability';
import { answerKind } from '../../text/question-intent';
import { type ScoredChunk } from '../../vector-store/chunk';
import { type VectorStore } from '../../vector-store/vector-store';

export interface Decision {
  answerable: boolean;
  coverage: Coverage;
  /** Key terms the passages lack that no page of the site has either. */
  absentFromSite: string[];
}

/**
 * Whether the retrieved passages can answer the question (see `isAnswerable`), decided before any
 * model is called: when they cannot, the visitor hears that the site does not say, and no model
 * is paid to say it. A key term the passages lack is looked up in the whole index, one cheap
 * single-term search each: a word no page uses ("scuba" on a kayak site) marks a question about
 * something the site never mentions.
 */
export async function decide(
  question: string,
  passages: ScoredChunk[],
  analyzer: Analyzer,
  store: VectorStore,
): Promise<Decision> {
  const coverage = coverageOf(
    question,
    passages.map(({ chunk }) => chunk),
    analyzer,
  );
  const pagesLanguages = new Set(passages.map(({ chunk }) => chunk.language));
  const pagesLanguage = pagesLanguages.has(coverage.language) ? coverage.language : 'en';
  const absent: string[] = [];
  if (coverage.language === pagesLanguage) {
    for (const term of coverage.missing) {
      const hits = await store.keywordSearch([term], { limit: 1 });
      if (hits.length === 0) absent.push(term);
    }
  }
  // The question itself is the last line: earlier turns read with a follow-up come first.
  const yesNo = answerKind(question.split('\n').at(-1) ?? question) === 'yesno';
  const answerable =
    passages.length > 0 &&
    isAnswerable(coverage, { pagesLanguage, absentFromSite: new Set(absent), yesNo });
  return { answerable, coverage, absentFromSite: absent };
}
