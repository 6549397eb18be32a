/**
 * A small keyword analyzer shared by indexing and querying, so both sides agree on terms.
 * Lower-cases, splits on anything that is not a letter or digit (any script), drops English stop
 * words and folds the commonest English inflections so that "deploy", "deploys" and "deploying"
 * meet. Identifiers joined by dots, dashes or underscores (`LLM_BASE_URL`, `widget.js`) are kept
 * whole as well as split, so exact names match best.
 */
const STOP_WORDS = new Set(
  (
    'a an and are as at be but by can do does for from had has have how i if in into is it its me my ' +
    'no not of on or our so such that the their then there these they this to was we what when where ' +
    'which who why will with you your'
  ).split(' '),
);

const WORD = /[\p{L}\p{N}]+(?:[._-][\p{L}\p{N}]+)*/gu;

export function analyze(text: string): string[] {
  const terms: string[] = [];
  for (const match of text.toLowerCase().matchAll(WORD)) {
    const word = match[0];
    const parts = word.split(/[._-]/);
    if (parts.length > 1) terms.push(word);
    for (const part of parts) {
      if (!STOP_WORDS.has(part)) terms.push(fold(part));
    }
  }
  return terms;
}

function fold(word: string): string {
  // English inflection rules only; words in other scripts or with accents are left alone.
  if (word.length <= 4 || !/^[a-z]+$/.test(word)) return word;
  for (const [suffix, replacement] of INFLECTIONS) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3) {
      const stem = word.slice(0, word.length - suffix.length) + replacement;
      // "running" → "runn" → "run", "stopped" → "stopp" → "stop"; but "install" keeps its "ll".
      return /([^aeioulsz])\1$/.test(stem) ? stem.slice(0, -1) : stem;
    }
  }
  return word;
}

const INFLECTIONS: [string, string][] = [
  ['ments', ''],
  ['ment', ''],
  ['ies', 'y'],
  ['ing', ''],
  ['ed', ''],
  ['es', ''],
  ['s', ''],
];
