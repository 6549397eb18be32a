import { type LoggedAnswer } from '../analytics/log-record';
import { type EmbeddingProvider } from '../embeddings/embedding-provider';
import { type Analyzer } from '../text/analyzer';
import { type Retriever } from '../retrieval/retriever';

/** Two questions ask the same thing when their similarity reaches this (cosine, 0 to 1). */
export const SAME_QUESTION = 0.5;
const MAX_EXAMPLES = 5;

export interface GapExample {
  messageId: string;
  conversationId: string;
  question: string;
  askedAt: number;
  outcome: LoggedAnswer['outcome'];
  rating?: LoggedAnswer['rating'];
  comment?: string;
  page?: LoggedAnswer['page'];
}

export interface GapGroup {
  /** The group's most recent wording. */
  question: string;
  count: number;
  notFound: number;
  ratedDown: number;
  lastAskedAt: number;
  examples: GapExample[];
  /** The indexed page nearest to the question: where the missing answer probably belongs. */
  closestPage?: { url: string; title: string; section: string };
}

type Vector = Map<string, number>;

function normalise(vector: Vector): Vector {
  const norm = Math.sqrt([...vector.values()].reduce((sum, value) => sum + value * value, 0));
  if (norm === 0) return vector;
  return new Map([...vector].map(([term, value]) => [term, value / norm]));
}

function cosine(left: Vector, right: Vector): number {
  let sum = 0;
  for (const [term, value] of left) sum += value * (right.get(term) ?? 0);
  return sum;
}

function denseCosine(left: number[], right: number[]): number {
  let sum = 0;
  for (let index = 0; index < left.length; index++) sum += (left[index] ?? 0) * (right[index] ?? 0);
  return sum;
}

interface Member {
  answer: LoggedAnswer;
  words: Vector;
  dense?: number[];
}

interface Group {
  members: Member[];
  words: Vector;
  dense?: number[];
}

/**
 * Groups the questions that ask the same thing in other words. Each question becomes a TF-IDF
 * vector of its analyzed terms (the retrieval analyzer: stems, no stop words), IDF taken over the
 * questions being grouped, so the words every question shares ("price", the product name) weigh
 * less than the ones that tell them apart. With an embedding provider configured, the questions'
 * embeddings count for half. A question joins the group whose centroid is most similar, when that
 * similarity reaches SAME_QUESTION; otherwise it starts a group.
 */
export async function groupQuestions(
  answers: LoggedAnswer[],
  analyzer: Analyzer,
  embeddings?: EmbeddingProvider,
): Promise<LoggedAnswer[][]> {
  const terms = answers.map((answer) => analyzer.terms(answer.question));
  const documentFrequency = new Map<string, number>();
  for (const list of terms) {
    for (const term of new Set(list))
      documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  }
  const idf = (term: string) => Math.log(1 + answers.length / (documentFrequency.get(term) ?? 1));
  const dense =
    embeddings && embeddings.dimensions > 0
      ? await embeddings.embed(
          answers.map((answer) => answer.question),
          'query',
        )
      : undefined;
  const members: Member[] = answers.map((answer, index) => {
    const words: Vector = new Map();
    for (const term of terms[index] ?? []) words.set(term, (words.get(term) ?? 0) + idf(term));
    return { answer, words: normalise(words), dense: dense?.[index] };
  });
  const similarity = (member: Member, group: Group) => {
    const lexical = cosine(member.words, group.words);
    return member.dense && group.dense
      ? (lexical + denseCosine(member.dense, group.dense)) / 2
      : lexical;
  };
  const groups: Group[] = [];
  for (const member of members) {
    let best: Group | undefined;
    let bestScore = SAME_QUESTION;
    for (const group of groups) {
      const score =
        member.words.size === 0
          ? Number(sameText(member.answer.question, group.members[0]?.answer.question ?? ''))
          : similarity(member, group);
      if (score >= bestScore) {
        best = group;
        bestScore = score;
      }
    }
    if (best) {
      best.members.push(member);
      best.words = centroid(best.members.map((item) => item.words));
      if (best.dense && member.dense) best.dense = denseCentroid(best.members);
    } else {
      groups.push({ members: [member], words: member.words, dense: member.dense });
    }
  }
  return groups.map((group) => group.members.map((member) => member.answer));
}

function sameText(left: string, right: string): boolean {
  const simplify = (text: string) =>
    text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim();
  return simplify(left) === simplify(right);
}

function centroid(vectors: Vector[]): Vector {
  const sum: Vector = new Map();
  for (const vector of vectors) {
    for (const [term, value] of vector) sum.set(term, (sum.get(term) ?? 0) + value);
  }
  return normalise(sum);
}

function denseCentroid(members: Member[]): number[] | undefined {
  const first = members[0]?.dense;
  if (!first) return undefined;
  const sum = first.map((_, index) =>
    members.reduce((total, member) => total + (member.dense?.[index] ?? 0), 0),
  );
  const norm = Math.sqrt(sum.reduce((total, value) => total + value * value, 0)) || 1;
  return sum.map((value) => value / norm);
}

/**
 * The content gaps: questions not found or rated down (`candidates`, newest first), grouped, the
 * biggest groups first, each with its closest indexed page.
 */
export async function findGaps(
  candidates: LoggedAnswer[],
  tools: { analyzer: Analyzer; retriever: Retriever; embeddings?: EmbeddingProvider },
  maxGroups: number,
): Promise<GapGroup[]> {
  const grouped = await groupQuestions(candidates, tools.analyzer, tools.embeddings);
  const groups = grouped
    .map((answers): GapGroup => {
      const newest = answers[0] as LoggedAnswer;
      return {
        question: newest.question,
        count: answers.length,
        notFound: answers.filter((answer) => answer.outcome === 'not_found').length,
        ratedDown: answers.filter((answer) => answer.rating === 'down').length,
        lastAskedAt: newest.askedAt,
        examples: answers.slice(0, MAX_EXAMPLES).map((answer) => ({
          messageId: answer.messageId,
          conversationId: answer.conversationId,
          question: answer.question,
          askedAt: answer.askedAt,
          outcome: answer.outcome,
          rating: answer.rating,
          comment: answer.comment,
          page: answer.page,
        })),
      };
    })
    .sort((left, right) => right.count - left.count || right.lastAskedAt - left.lastAskedAt)
    .slice(0, maxGroups);
  for (const group of groups) {
    const [nearest] = await tools.retriever.retrieve(group.question, { limit: 1 });
    if (nearest) {
      const { chunk } = nearest;
      group.closestPage = { url: chunk.documentUrl, title: chunk.title, section: chunk.url };
    }
  }
  return groups;
}
