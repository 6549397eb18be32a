import { createReadStream } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export interface BeirDocument {
  id: string;
  title: string;
  text: string;
}

export interface BeirDataset {
  corpus: BeirDocument[];
  /** Query id → text, only for queries that have judgements in the split. */
  queries: Map<string, string>;
  /** Query id → (document id → relevance grade). */
  qrels: Map<string, Map<string, number>>;
}

async function readJsonLines<T>(file: string): Promise<T[]> {
  const rows: T[] = [];
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  for await (const line of lines) if (line.trim()) rows.push(JSON.parse(line) as T);
  return rows;
}

/** Reads a BEIR-format folder: corpus.jsonl, queries.jsonl and qrels/<split>.tsv. */
export async function loadBeir(dir: string, split: string): Promise<BeirDataset> {
  const qrelsFile = join(dir, 'qrels', `${split}.tsv`);
  try {
    await access(qrelsFile);
  } catch {
    throw new Error(
      `${qrelsFile} does not exist: is ${dir} a BEIR folder with a "${split}" split?`,
    );
  }
  const qrels = new Map<string, Map<string, number>>();
  for (const line of (await readFile(qrelsFile, 'utf8')).split('\n').slice(1)) {
    const [queryId, documentId, grade] = line.trim().split('\t');
    if (!queryId || !documentId || grade === undefined) continue;
    const judged = qrels.get(queryId) ?? new Map<string, number>();
    judged.set(documentId, Number(grade));
    qrels.set(queryId, judged);
  }
  const queries = new Map<string, string>();
  for (const query of await readJsonLines<{ _id: string; text: string }>(
    join(dir, 'queries.jsonl'),
  )) {
    if (qrels.has(query._id)) queries.set(query._id, query.text);
  }
  const corpus = (
    await readJsonLines<{ _id: string; title?: string; text: string }>(join(dir, 'corpus.jsonl'))
  ).map((row) => ({ id: row._id, title: row.title ?? '', text: row.text }));
  return { corpus, queries, qrels };
}

/** nDCG@k with linear gains, as pytrec_eval (and so BEIR) computes it. */
export function ndcgAt(k: number, ranked: string[], judged: Map<string, number>): number {
  let dcg = 0;
  ranked.slice(0, k).forEach((id, index) => {
    dcg += (judged.get(id) ?? 0) / Math.log2(index + 2);
  });
  const ideal = [...judged.values()]
    .filter((grade) => grade > 0)
    .sort((left, right) => right - left)
    .slice(0, k)
    .reduce((sum, grade, index) => sum + grade / Math.log2(index + 2), 0);
  return ideal === 0 ? 0 : dcg / ideal;
}

export function recallAt(k: number, ranked: string[], judged: Map<string, number>): number {
  const relevant = [...judged].filter(([, grade]) => grade > 0).map(([id]) => id);
  if (relevant.length === 0) return 0;
  const top = new Set(ranked.slice(0, k));
  return relevant.filter((id) => top.has(id)).length / relevant.length;
}

export function mrrAt(k: number, ranked: string[], judged: Map<string, number>): number {
  const index = ranked.slice(0, k).findIndex((id) => (judged.get(id) ?? 0) > 0);
  return index < 0 ? 0 : 1 / (index + 1);
}

export function percentile(sorted: number[], fraction: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? 0;
}
