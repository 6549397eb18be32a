import { type Analyzer } from './analyzer';
import { TermSet, withoutLinkTargets } from './markdown-text';
import { QUESTION_WORDS } from './question-intent';
import { functionWordsOf, questionLanguage } from './question-language';

/** A retrieved passage as far as coverage is concerned: its words, where it sits, what it says. */
export interface PassageText {
  title: string;
  headingPath?: string[];
  text: string;
}

export interface Coverage {
  /** The question's language (`en`, `fr`, …), as `questionLanguage` tells it. */
  language: string;
  /** The analyzed terms of what the question is about: no question words, no bare numbers. */
  keyTerms: string[];
  /** Key terms found in the passages (their text, titles or headings). */
  covered: string[];
  /** Key terms in none of them. */
  missing: string[];
  /** Key terms the question writes as names, capitalised inside a sentence ("Python", "Vercel"). */
  names: string[];
}

/** What a question is about, as analyzed terms, and which of them the passages contain. */
export function coverageOf(
  question: string,
  passages: PassageText[],
  analyzer: Analyzer,
): Coverage {
  const language = questionLanguage(question);
  const ignored = new Set(
    analyzer.terms([...QUESTION_WORDS, ...functionWordsOf(language)].join(' ')),
  );
  const keyTerms = [
    ...new Set(
      analyzer
        .terms(question)
        .filter((term) => !ignored.has(term) && !/^\d+(?:[.,]\d+)?$/.test(term)),
    ),
  ];
  const present = new TermSet(
    passages.flatMap((passage) =>
      analyzer.terms(
        [passage.title, ...(passage.headingPath ?? []), withoutLinkTargets(passage.text)].join(
          '\n',
        ),
      ),
    ),
  );
  // A hyphenated word is covered by its parts: "after-hours" by a page's "outside office hours".
  const isPresent = (term: string) =>
    present.has(term) ||
    (term.includes('-') &&
      analyzer
        .terms(term.replace(/-/g, ' '))
        .every((part) => present.has(part) || ignored.has(part)));
  return {
    language,
    keyTerms,
    covered: keyTerms.filter(isPresent),
    missing: keyTerms.filter((term) => !isPresent(term)),
    names: namesIn(question, analyzer).filter((term) => keyTerms.includes(term)),
  };
}

/** The analyzed terms of words written capitalised inside a sentence: names, not sentence starts. */
export function namesIn(question: string, analyzer: Analyzer): string[] {
  const names: string[] = [];
  for (const sentence of question.split(/[.!?¿¡\n]+/)) {
    const words = sentence.trim().split(/\s+/).slice(1);
    for (const word of words) {
      if (/^\p{Lu}/u.test(word) && !/^(?:I|I'\w+)$/.test(word)) names.push(...analyzer.terms(word));
    }
  }
  return names;
}

/**
 * How many of a question's key terms the passages may lack and still answer it: none of one or two
 * ("the wifi password"), one of three to five, two beyond. Visitors word things their own way
 * ("lose my card" for "lost cards"), and a long question names more than its topic; a question two
 * of whose three words the pages lack ("scuba diving certification", next to a page on certified
 * guides) is not answered by them.
 */
export function missingAllowed(keyTerms: number): number {
  return Math.floor(keyTerms / 3);
}

/**
 * Whether the passages cover the question well enough to answer from them. A term mixing letters
 * and digits ("3D", "v2") is too specific to do without. A question in another language than
 * the pages can only be matched on the names and terms it shares with them, so one shared key term
 * is enough for it. `absentFromSite` lists key terms the whole index lacks, when the caller knows:
 * a question naming something the site never mentions ("a Python API", "deploy to Vercel") is not
 * answered by pages about its other words. Only names count so: a common word no page happens to
 * use ("handle", "speed") is how the visitor put it, not what the question is about — unless the
 * question asks yes or no (`yesNo`): "do you offer laser gum surgery?" and "is Dr. Herrera
 * married?" ask whether the site says the very thing no page mentions, and quoting pages about
 * the question's other words would only suggest an answer.
 */
export function isAnswerable(
  coverage: Coverage,
  options: { pagesLanguage?: string; absentFromSite?: ReadonlySet<string>; yesNo?: boolean } = {},
): boolean {
  const { keyTerms, covered, missing } = coverage;
  if (keyTerms.length === 0) return true;
  if (coverage.language !== (options.pagesLanguage ?? 'en')) return covered.length > 0;
  if (missing.some((term) => /\p{L}/u.test(term) && /\d/.test(term))) return false;
  const names = new Set(coverage.names);
  const decisive = (term: string) => names.has(term) || options.yesNo === true;
  if (missing.some((term) => decisive(term) && options.absentFromSite?.has(term))) return false;
  return missing.length <= missingAllowed(keyTerms.length);
}
