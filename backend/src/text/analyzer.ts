import { LRUCache } from 'lru-cache';
import { algorithms, newStemmer, type Stemmer } from 'snowball-stemmers';

/**
 * The Snowball project's English stop words: function words, including the question words
 * (how, what, when) that every visitor's question starts with and no answer is about.
 */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she ' +
    'her hers herself it its itself they them their theirs themselves what which who whom this that ' +
    'these those am is are was were be been being have has had having do does did doing would should ' +
    'could ought a an the and but if or because as until while of at by for with about against ' +
    'between into through during before after above below to from up down in out on off over under ' +
    'again further then once here there when where why how all any both each few more most other ' +
    'some such no nor not only own same so than too very'
  ).split(' '),
);

/** Scripts written without spaces between words: indexed as overlapping character pairs. */
const CJK = '\\p{Script=Han}\\p{Script=Hiragana}\\p{Script=Katakana}\\p{Script=Hangul}';
const UNSEGMENTED = new RegExp(`[${CJK}]`, 'u');
const SCRIPT_RUNS = new RegExp(`[${CJK}]+|[^${CJK}]+`, 'gu');

/**
 * A word: letters, marks and digits, optionally joined by `.`, `_`, `-` or `'` into identifiers
 * (`LLM_BASE_URL`, `widget.js`, `x-api-key`, `v1.2`).
 */
const WORD = /[\p{L}\p{M}\p{N}]+(?:[._'’-][\p{L}\p{M}\p{N}]+)*/gu;
const JOINERS = /[._'’-]/;

/** The longest token kept: longer runs are base64, hashes or garbage, not words anyone types. */
const MAX_TOKEN_LENGTH = 64;

/**
 * Turns text into index terms; the same instance analyzes documents and queries so that both sides
 * agree. Lower-cases (after Unicode NFKC, so full-width and compatibility forms meet their plain
 * forms), drops stop words, stems with the Snowball stemmer of the index language, keeps numbers and
 * joined identifiers whole (and also their parts, so `base_url` matches "base url"), and splits
 * Chinese, Japanese and Korean into overlapping character pairs, the usual approach without a
 * dictionary segmenter.
 */
export class Analyzer {
  private readonly stemmer: Stemmer;
  private readonly stopWords: ReadonlySet<string>;
  /** Bounded: a crawl can meet millions of distinct words. */
  private readonly stems = new LRUCache<string, string>({ max: 100_000 });

  constructor(readonly language: string = 'english') {
    const algorithm = language.toLowerCase();
    if (!algorithms().includes(algorithm)) {
      throw new Error(
        `INDEX_LANGUAGE "${language}" has no Snowball stemmer; use one of: ${algorithms().join(', ')}`,
      );
    }
    this.stemmer = newStemmer(algorithm);
    this.stopWords =
      algorithm === 'english' || algorithm === 'porter' ? ENGLISH_STOP_WORDS : new Set();
  }

  terms(text: string): string[] {
    const terms: string[] = [];
    for (const match of text.normalize('NFKC').toLowerCase().matchAll(WORD)) {
      const token = match[0];
      if (token.length > MAX_TOKEN_LENGTH) continue;
      if (UNSEGMENTED.test(token)) {
        this.addUnsegmented(token, terms);
        continue;
      }
      const parts = token.split(JOINERS);
      if (parts.length === 1) {
        this.addWord(token, terms);
        continue;
      }
      const joined = token.replace(/[’]/g, "'");
      // "don't" and "o'clock" are words, not identifiers: index the word, not the pieces.
      if (/^[\p{L}]+'[\p{L}]+$/u.test(joined)) {
        this.addWord(joined.replace("'", ''), terms);
        continue;
      }
      terms.push(joined);
      // Parts of a number (3.14, 2026-11-26) are not words; parts of an identifier are.
      if (/\p{L}/u.test(token)) for (const part of parts) this.addWord(part, terms);
    }
    return terms;
  }

  private addWord(word: string, terms: string[]): void {
    if (word === '' || this.stopWords.has(word)) return;
    terms.push(/\p{N}/u.test(word) ? word : this.stem(word));
  }

  private addUnsegmented(token: string, terms: string[]): void {
    // A token may mix scripts ("iphone手机"): segment the CJK runs, keep the rest as words.
    for (const run of token.match(SCRIPT_RUNS) ?? []) {
      if (!UNSEGMENTED.test(run)) {
        this.addWord(run, terms);
        continue;
      }
      const characters = [...run];
      if (characters.length === 1) terms.push(run);
      for (let index = 0; index + 1 < characters.length; index++) {
        terms.push(`${characters[index]}${characters[index + 1]}`);
      }
    }
  }

  private stem(word: string): string {
    let stem = this.stems.get(word);
    if (stem === undefined) {
      stem = this.stemmer.stem(word);
      this.stems.set(word, stem);
    }
    return stem;
  }
}
