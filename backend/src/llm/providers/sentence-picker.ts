import { type Analyzer } from '../../text/analyzer';
import {
  type AnswerKind,
  answerKind,
  givesAnswerKind,
  KIND_WORDS,
  QUESTION_WORDS,
} from '../../text/question-intent';
import { namesIn } from '../../text/answerability';
import { TermSet, withoutLinkTargets } from '../../text/markdown-text';
import { type NumberedSource } from '../llm-provider';

/** A quotable piece of a passage: a sentence, a list item or a table row. */
export interface Quote {
  sourceNumber: number;
  /** Order within its source, for putting quotes of one page back in reading order. */
  position: number;
  /** Markdown, whole: a list item keeps its marker, a table row its column headers. */
  text: string;
  /** The code block right after the quote, which it introduces ("Run this:"), shown with it. */
  followedBy?: string;
  score: number;
}

interface Unit extends Quote {
  /** What the unit is about beyond its own words: the page title and the heading above it. */
  context: string;
  /** Sentences of one paragraph or items of one list share a group. */
  group: number;
  /** The section's heading as a unit: quoted only when it holds the answer ("3.2.0 (2025-03-18)"). */
  heading?: boolean;
  /** In the first block under its heading, where pages put what the heading promises. */
  lead?: boolean;
  /** What a labelled list item or table row is about: "Team" in "- Team: Billed monthly $29, …". */
  label?: string;
}

export interface PickOptions {
  /** At most this many quotes. */
  maxQuotes: number;
  /** Quotes after the first are added only while the answer stays within this many characters. */
  maxChars: number;
  /** A quote after the first must score at least this share of the first's. */
  minShareOfBest: number;
}

export const DEFAULT_PICK: PickOptions = { maxQuotes: 3, maxChars: 400, minShareOfBest: 0.7 };

/**
 * Longest quote, in characters: a unit with no sentence break (a run-on paragraph, a long table
 * row) is shown up to here, cut at a word, so an answer stays short however the page is written.
 */
export const MAX_QUOTE_CHARS = 600;

/** Weight of a term that only the unit's title or heading has, against one in its own words. */
const CONTEXT_WEIGHT = 0.8;
/** A unit matching the question only through its heading needs this share of the question's weight. */
const CONTEXT_ONLY_SHARE = 0.5;
/** Weight of question words ("cost", "open") and of earlier turns' words, against topic words. */
const QUESTION_WORD_WEIGHT = 0.35;
const HISTORY_WEIGHT = 0.5;
/**
 * Weight of a name the question writes ("EADDRINUSE", "Sunset Paddle"), against its other words:
 * a passage about the named thing answers "how do I fix EADDRINUSE?" although it never says "fix",
 * while one that says "fixes" about something else does not.
 */
const NAME_WEIGHT = 2;
/** A unit that gives the kind of answer asked for scores this much more, one that does not, less. */
const KIND_MATCH = 1.5;
const KIND_MISS: Partial<Record<AnswerKind, number>> = { yesno: 1, steps: 0.9 };
const KIND_MISS_DEFAULT = 0.55;
/** Kinds whose answer a sentence plainly has or lacks: a number, a time, a price. */
const TYPED_KINDS = new Set<AnswerKind>([
  'amount',
  'time',
  'when',
  'duration',
  'frequency',
  'age',
  'number',
  'phone',
  'hours',
  'place',
  'person',
]);
/** Kinds whose answer says what it is by its form alone: "$6", "555-0177", "9:00 am to 3:00 pm". */
const SELF_EVIDENT_KINDS = new Set<AnswerKind>(['amount', 'phone', 'hours', 'frequency']);
/** A unit in the first block under its heading scores this much more. */
const LEAD_BONUS = 1.2;
/**
 * A unit whose subject names what the question is about scores this much more. A table row's or
 * labelled item's subject is its label, a sentence's the page and heading it sits under: the row
 * "Team: Billed monthly $29, …" and the sentences of the Team plan's own page are about the Team
 * plan, while a sentence under "Extra users" that mentions "Team and Business plans" on the way
 * to another fact is not.
 */
const SUBJECT_BONUS = 1.5;
/** Words by which a follow-up points back at what the conversation was about. */
const REFERS_BACK = /\b(?:it|its|they|them|their|this|these|those)\b/iu;
/** How much retrieval's ranking of the sources counts: source n scores × (1 + RANK_WEIGHT / n). */
const RANK_WEIGHT = 0.3;

const sentenceSegmenter = new Intl.Segmenter('en', { granularity: 'sentence' });

/**
 * The quotes that answer the question, best first and then in reading order: the sentences, list
 * items and table rows of the passages that share the most (and the rarest) of the question's
 * words, in their own text or under their heading, and that hold the kind of answer asked for (an
 * amount for "how much", a time for "when"). Further quotes are added only while they score close
 * to the best and the answer stays short. Empty when nothing in the passages matches.
 *
 * `earlierQuestions` are the conversation's previous questions, whose words count at a lower
 * weight: a follow-up ("how much is it?") is about what they named.
 */
export function pickQuotes(
  question: string,
  sources: NumberedSource[],
  analyzer: Analyzer,
  earlierQuestions: string[] = [],
  options: PickOptions = DEFAULT_PICK,
): Quote[] {
  const kind = answerKind(question);
  const ranked = rankQuotes(question, sources, analyzer, earlierQuestions);
  const best = ranked[0];
  if (!best) return [];
  const bestGivesKind = givesAnswerKind(kind, best.text) === true;
  const picked = [best];
  let chars = best.text.length;
  for (const unit of ranked.slice(1)) {
    if (picked.length >= options.maxQuotes) break;
    if (unit.score < best.score * options.minShareOfBest) break;
    if (chars + unit.text.length > options.maxChars) continue;
    // Once the best quote gives the answer, others are only worth adding if they give one too.
    if (bestGivesKind && givesAnswerKind(kind, unit.text) === false) continue;
    if (picked.some((quote) => quote.text === unit.text)) continue;
    picked.push(unit);
    chars += unit.text.length;
  }
  const rest = picked
    .slice(1)
    .sort((a, b) => a.sourceNumber - b.sourceNumber || a.position - b.position);
  return [best, ...rest].map(({ sourceNumber, position, text, followedBy, score }) => ({
    sourceNumber,
    position,
    text,
    followedBy,
    score,
  }));
}

/** Every quotable unit of the sources that matches the question, best first, with its score. */
export function rankQuotes(
  question: string,
  sources: NumberedSource[],
  analyzer: Analyzer,
  earlierQuestions: string[] = [],
): Quote[] {
  const kind = answerKind(question);
  const units = sources.flatMap(unitsOf);
  if (units.length === 0) return [];
  const kindWords = new Set(analyzer.terms(KIND_WORDS[kind] ?? ''));
  const weights = termWeights(question, earlierQuestions, units, analyzer, kindWords);
  const total = [...weights.values()].reduce((sum, weight) => sum + weight, 0);
  if (total === 0) return [];
  const questionWords = new Set(analyzer.terms(QUESTION_WORDS.join(' ')));
  return units
    .map((unit) => ({
      ...unit,
      score: scoreUnit(unit, { weights, total, kind, kindWords, questionWords }, analyzer),
    }))
    .filter((unit) => unit.score > 0)
    .sort((a, b) => b.score - a.score);
}

/**
 * How much each question term counts: rare terms (in few units) more than common ones, the
 * question's topic words more than its question words, earlier questions' words less. A term no
 * unit has is left out: it is how the visitor put it ("fix" for a page that says "stop it"), and
 * counting it would only make every unit look worse, most of all one matched by its heading.
 */
function termWeights(
  question: string,
  earlierQuestions: string[],
  units: Unit[],
  analyzer: Analyzer,
  kindWords: Set<string>,
): Map<string, number> {
  const questionWords = new Set(analyzer.terms(QUESTION_WORDS.join(' ')));
  const asked = new Set(analyzer.terms(question));
  const earlier = new Set(analyzer.terms(earlierQuestions.join('\n')));
  const documentFrequency = new Map<string, number>();
  for (const unit of units) {
    for (const term of new Set(
      analyzer.terms(`${unit.context}\n${withoutLinkTargets(unit.text)}`),
    )) {
      if (asked.has(term) || earlier.has(term)) {
        documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
      }
    }
  }
  const weights = new Map<string, number>();
  const rarity = (term: string) =>
    Math.log(1 + (units.length + 1) / ((documentFrequency.get(term) ?? 0) + 1));
  // Kind words ("cost" for "pay") are matched by what a unit says, whether or not it uses them.
  const matchable = (term: string) => documentFrequency.has(term) || kindWords.has(term);
  const names = new Set(namesIn(question, analyzer));
  for (const term of asked) {
    if (!matchable(term)) continue;
    const emphasis = questionWords.has(term)
      ? QUESTION_WORD_WEIGHT
      : names.has(term)
        ? NAME_WEIGHT
        : 1;
    weights.set(term, rarity(term) * emphasis);
  }
  // A follow-up that names no topic of its own ("how long does it last?": only words of the
  // answer's kind) or points back at it ("which plans include it?") is about the earlier ones.
  const namesTopic =
    [...asked].some((term) => !questionWords.has(term) && !kindWords.has(term)) &&
    !REFERS_BACK.test(question);
  for (const term of earlier) {
    if (!matchable(term)) continue;
    if (!weights.has(term) && !questionWords.has(term)) {
      weights.set(term, rarity(term) * (namesTopic ? HISTORY_WEIGHT : 1));
    }
  }
  return weights;
}

interface Scoring {
  weights: Map<string, number>;
  /** The analyzed question words ("need", "get", "can"). */
  questionWords: Set<string>;
  total: number;
  kind: AnswerKind;
  /** The analyzed words of the answer kind ("cost", "price", "pay" for an amount). */
  kindWords: Set<string>;
}

function scoreUnit(unit: Unit, scoring: Scoring, analyzer: Analyzer): number {
  const { weights, total, kind, kindWords, questionWords } = scoring;
  // The command a sentence introduces is part of what it says.
  const own = analyzer.terms(withoutLinkTargets(`${unit.text}\n${unit.followedBy ?? ''}`));
  const ownSet = new TermSet(own);
  const contextSet = new TermSet(analyzer.terms(unit.context));
  const gives = givesAnswerKind(kind, `${unit.text}\n${unit.followedBy ?? ''}`);
  const typed = TYPED_KINDS.has(kind);
  // Any word of the kind asked for stands for the question's ("pay" answers "cost"), and so does
  // an answer whose form is unmistakable ("$6 per user" answers "how much does it cost"); a bare
  // number or "under 16" could be anything.
  const saysKind =
    own.some((term) => kindWords.has(term)) || (gives === true && SELF_EVIDENT_KINDS.has(kind));
  let matched = 0;
  let matchedOwn = 0;
  // A question word ("need", "get") shared with a unit says nothing unless a topic word is too.
  const sharesTopic = [...weights.keys()].some(
    (term) => !questionWords.has(term) && ownSet.has(term),
  );
  for (const [term, weight] of weights) {
    const generic = questionWords.has(term) && !kindWords.has(term);
    if ((ownSet.has(term) && (sharesTopic || !generic)) || (saysKind && kindWords.has(term))) {
      matched += weight;
      matchedOwn += weight;
    } else if (contextSet.has(term)) matched += weight * CONTEXT_WEIGHT;
  }
  if (matched === 0) return 0;
  // A unit that shares nothing with the question itself, only its heading, must answer it or sit
  // under a heading that is most of the question ("What to bring" for "what do I need to bring");
  // a heading is quoted only for the answer it holds.
  const answers = typed && gives === true;
  if (unit.heading && !answers) return 0;
  if (matchedOwn === 0 && !answers && matched < total * CONTEXT_ONLY_SHARE) return 0;
  const kindFactor =
    gives === undefined ? 1 : gives ? KIND_MATCH : (KIND_MISS[kind] ?? KIND_MISS_DEFAULT);
  // Long units match more words by sheer size.
  const lengthFactor = Math.pow(Math.max(own.length, 12) / 12, -0.25);
  // Retrieval ranked earlier sources higher: prefer them when the rest ties.
  const rankFactor = 1 + RANK_WEIGHT / unit.sourceNumber;
  const leadFactor = unit.lead ? LEAD_BONUS : 1;
  const label = new TermSet(analyzer.terms(unit.label ?? ''));
  const subjectFactor = [...weights.keys()].some(
    (term) => !questionWords.has(term) && (label.has(term) || contextSet.has(term)),
  )
    ? SUBJECT_BONUS
    : 1;
  return (matched / total) * kindFactor * lengthFactor * rankFactor * leadFactor * subjectFactor;
}

/** A passage's blocks: paragraphs, lists, tables and code fences, the fences kept whole. */
function blocksOf(markdown: string): string[] {
  const blocks: string[] = [];
  let current: string[] = [];
  let fence: string | undefined;
  const end = () => {
    const block = current.join('\n').trim();
    if (block) blocks.push(block);
    current = [];
  };
  for (const line of markdown.split(/\r?\n/)) {
    const marker = /^\s*(```|~~~)/.exec(line)?.[1];
    if (fence) {
      current.push(line);
      if (marker === fence) {
        fence = undefined;
        end();
      }
      continue;
    }
    if (marker) {
      end();
      fence = marker;
      current.push(line);
      continue;
    }
    if (line.trim() === '') end();
    else current.push(line);
  }
  end();
  return blocks;
}

const LIST_ITEM = /^\s*(?:[-*+]|\d+[.)])\s/;
/** A list item that starts with its subject, as table rows and definitions are written. */
const LABELLED_ITEM = /^\s*(?:[-*+]|\d+[.)])\s+([^:.!?\n]{1,60}):\s/;
const HEADING = /^#{1,6}\s+/;

/** The quotable units of one source. */
function unitsOf(source: NumberedSource): Unit[] {
  const units: Unit[] = [];
  let heading = '';
  let group = 0;
  /** The group of the first block after the latest heading (the chunk's start is one). */
  let leadGroup = 1;
  const add = (text: string, extra: Partial<Unit> = {}) => {
    const clean = balanceMarkdown(clip(text.replace(/\s*\n\s*/g, ' ').trim()));
    if (!clean) return;
    units.push({
      sourceNumber: source.number,
      position: units.length,
      text: clean,
      score: 0,
      context: `${source.title}\n${heading}`,
      group,
      lead: group === leadGroup,
      ...extra,
    });
  };
  const section = source.title.split(' › ').at(-1);
  if (source.title.includes(' › ') && section) add(section, { heading: true, lead: false });
  const blocks = blocksOf(source.text);
  blocks.forEach((block, index) => {
    // The items of one list are one group, though the extractor writes each as its own block.
    if (!(LIST_ITEM.test(block) && LIST_ITEM.test(blocks[index - 1] ?? ''))) group += 1;
    if (HEADING.test(block)) {
      heading = block.replace(HEADING, '').replace(/\s*\{#[\w:.-]+\}$/, '');
      leadGroup = group + 1;
      return;
    }
    if (/^(```|~~~)/.test(block)) {
      // Docs put a command right after the paragraph that explains it ("Run this:"): any
      // sentence of that paragraph quoted shows it.
      for (const unit of units) {
        if (unit.group === group - 1 && !unit.followedBy) unit.followedBy = block;
      }
      return;
    }
    if (block.startsWith('|')) {
      for (const row of markdownTableRows(block))
        add(row, { label: /^([^:]{1,60}):\s/.exec(row)?.[1] });
      return;
    }
    if (LIST_ITEM.test(block)) {
      for (const item of block.split(/\n(?=\s*(?:[-*+]|\d+[.)])\s)/)) {
        add(item, { label: LABELLED_ITEM.exec(item)?.[1] });
      }
      return;
    }
    const sentences = [...sentenceSegmenter.segment(block.replace(/\s*\n\s*/g, ' '))]
      .map(({ segment }) => segment.trim())
      .filter(Boolean);
    // A lone question (a FAQ's, written as a paragraph) is what the next paragraph answers.
    if (sentences.length === 1 && sentences[0]?.endsWith('?') && index < blocks.length - 1) {
      heading = sentences[0];
      leadGroup = group + 1;
      return;
    }
    for (const sentence of sentences) add(sentence);
  });
  return units;
}

function clip(text: string): string {
  if (text.length <= MAX_QUOTE_CHARS) return text;
  const cut = text.slice(0, MAX_QUOTE_CHARS);
  const space = cut.lastIndexOf(' ');
  return `${space > MAX_QUOTE_CHARS / 2 ? cut.slice(0, space) : cut}…`;
}

/**
 * A Markdown (GFM) table's body rows, each cell labelled with its column header, as the HTML
 * extractor writes HTML tables: "Sunset Paddle: Adult $72, Child (under 16) $45".
 */
export function markdownTableRows(table: string): string[] {
  const rows = table
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.startsWith('|'))
    .map((line) =>
      line
        .replace(/^\||\|$/g, '')
        .split(/(?<!\\)\|/)
        .map((cell) => cell.trim()),
    );
  const separator = rows.findIndex((cells) => cells.every((cell) => /^:?-{2,}:?$/.test(cell)));
  const header = separator > 0 ? (rows[separator - 1] ?? []) : [];
  const body = separator > 0 ? rows.slice(separator + 1) : rows;
  return body.flatMap((cells) => {
    const [label = '', ...values] = cells;
    const labelled = values
      .map((value, column) => {
        const name = cells.length > 2 ? (header[column + 1] ?? '') : '';
        return value === '' ? '' : name ? `${name} ${value}` : value;
      })
      .filter(Boolean);
    if (!label && labelled.length === 0) return [];
    const joiner = labelled.some((value) => value.includes(',')) ? '; ' : ', ';
    return [`${label}${labelled.length ? `: ${labelled.join(joiner)}` : ''}`];
  });
}

/**
 * Markdown a quote can show on its own: emphasis or code marks left unpaired by a sentence cut
 * from its paragraph are removed (a stray `**` would embolden the rest of the answer), and so is a
 * link whose brackets the cut separated, keeping its text.
 */
export function balanceMarkdown(text: string): string {
  let result = text;
  for (const mark of ['**', '__', '`']) {
    const count = result.split(mark).length - 1;
    if (count % 2 === 1) result = result.split(mark).join('');
  }
  if (!bracketsPaired(result)) {
    result = result.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/(?<!\\)[[\]]/g, '');
  }
  return result;
}

/** Whether every unescaped `[` is closed by a later `]`, and no `]` comes first. */
function bracketsPaired(text: string): boolean {
  let depth = 0;
  for (const match of text.matchAll(/(?<!\\)[[\]]/g)) {
    depth += match[0] === '[' ? 1 : -1;
    if (depth < 0) return false;
  }
  return depth === 0;
}
