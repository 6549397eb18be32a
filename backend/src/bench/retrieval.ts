/**
 * `npm run bench:retrieval -- --dataset DIR [--split train|test] [--embeddings none|local|openai|bedrock]
 *   [--synthetic-chunks N] [--latency-passes N] [--server-questions N] [--baseline exhaustive|none]
 *   [--k1 X] [--b X] [--rrf-k N] [--keyword-weight X] [--dense-weight X]`
 *
 * Indexes a BEIR corpus through the real ingest path (Indexer: chunking, analyzer, embeddings, the
 * embedded store) in a temporary data directory, runs every judged query through the real
 * Retriever, aggregates chunk hits to their document by best rank, and prints a table and, last, one
 * JSON line. Quality is scored on a deep ranking (200 chunks, for recall@100); latency (p50/p95) is
 * timed with the chat's own settings (RETRIEVAL_TOP_K passages from RETRIEVAL_CANDIDATES per side),
 * which is what a visitor waits for.
 *
 * `--synthetic-chunks N` also builds a copy of the index grown to N chunks with filler pages made
 * of the corpus's own sentences, and times both indexes in the same run, query by query in
 * alternating order (the machine's noise then hits both alike), reporting p50/p95 at each size and
 * their ratio (`p95_ratio`). For each index it reports the file's bytes per chunk (all of it, and
 * the keyword index's share) and the resident memory of the real server (`dist/main.js`) after it
 * answered `--server-questions` questions on that index over Socket.IO.
 *
 * `--baseline exhaustive` (the default) also opens each index with keyword ranking that scores
 * every posting instead of pruning, and measures it in the same run, in the same alternation: its
 * quality and rankings must equal the pruned search's (`rankings_differ` counts the questions
 * whose deep ranking differs), and its latency is what pruning saves (`large_p95_speedup`).
 */
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { type AppConfig, loadConfig } from '../config/app-config';
import { type EmbeddingProvider } from '../embeddings/embedding-provider';
import { createEmbeddingProvider } from '../embeddings/embeddings.module';
import { Indexer } from '../ingest/indexer';
import { Analyzer } from '../text/analyzer';
import { HybridRetriever } from '../retrieval/retriever';
import { EmbeddedStore, INDEX_FILE } from '../vector-store/embedded.store';
import { type BeirDataset, loadBeir, mrrAt, ndcgAt, percentile, recallAt } from './beir';
import { measureServerMemory } from './retrieval-server';

const DOCUMENT_BASE = 'https://bench.lorechat.invalid/doc/';
/** Chunks asked for per query: enough to fill the top 100 documents after aggregation. */
const CHUNKS_PER_QUERY = 200;

interface Quality {
  'ndcg@10': number;
  'recall@10': number;
  'recall@100': number;
  'mrr@10': number;
}

interface Built {
  dir: string;
  store: EmbeddedStore;
  /** The same index, ranked by scoring every posting. */
  baseline?: EmbeddedStore;
  chunks: number;
  documents: number;
  indexSeconds: number;
}

const round = (value: number, digits: number) => Number(value.toFixed(digits));

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dataset: { type: 'string' },
      split: { type: 'string', default: 'test' },
      embeddings: { type: 'string', default: 'none' },
      'synthetic-chunks': { type: 'string', default: '0' },
      'latency-passes': { type: 'string', default: '3' },
      'server-questions': { type: 'string', default: '200' },
      baseline: { type: 'string', default: 'exhaustive' },
      k1: { type: 'string' },
      b: { type: 'string' },
      'rrf-k': { type: 'string' },
      'keyword-weight': { type: 'string' },
      'dense-weight': { type: 'string' },
    },
  });
  if (!values.dataset) throw new Error('--dataset DIR is required (a BEIR-format folder)');
  if (values.baseline !== 'exhaustive' && values.baseline !== 'none') {
    throw new Error(`--baseline takes exhaustive or none, not "${values.baseline}"`);
  }
  const syntheticChunks = Number(values['synthetic-chunks']);
  const latencyPasses = Number(values['latency-passes']);
  const serverQuestions = Number(values['server-questions']);
  for (const [name, value] of Object.entries({
    'synthetic-chunks': syntheticChunks,
    'latency-passes': latencyPasses,
    'server-questions': serverQuestions,
  })) {
    if (!Number.isInteger(value) || value < 0) {
      throw new Error(
        `--${name} takes a whole number, not "${values[name as keyof typeof values]}"`,
      );
    }
  }
  const root = mkdtempSync(join(tmpdir(), 'lorechat-bench-'));
  const overrides: Record<string, string | undefined> = {
    LORECHAT_DATA_DIR: join(root, 'dataset'),
    EMBEDDING_PROVIDER: values.embeddings,
    BM25_K1: values.k1,
    BM25_B: values.b,
    RETRIEVAL_RRF_K: values['rrf-k'],
    RETRIEVAL_KEYWORD_WEIGHT: values['keyword-weight'],
    RETRIEVAL_DENSE_WEIGHT: values['dense-weight'],
  };
  const config = loadConfig({
    ...process.env,
    ...Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined)),
  });
  try {
    const dataset = await loadBeir(values.dataset, values.split);
    const embeddings = createEmbeddingProvider(config);
    const analyzer = new Analyzer(config.retrieval.language);
    const bench = { config, embeddings, analyzer, dataset };

    const base = await buildDatasetIndex(bench, config.dataDir);
    const large =
      syntheticChunks > 0
        ? await growCopy(bench, base, join(root, 'synthetic'), syntheticChunks)
        : undefined;
    const built = large ? [base, large] : [base];
    if (values.baseline === 'exhaustive') {
      for (const index of built) index.baseline = await openStore(bench, index.dir, 'exhaustive');
    }
    const qualities = [];
    for (const index of built) {
      const pruned = await measureQuality(bench, index.store);
      const exhaustive = index.baseline && (await measureQuality(bench, index.baseline));
      qualities.push({ pruned, exhaustive });
    }
    // Pruned stores first, then their baselines: one alternation over all of them.
    const stores = [
      ...built.map((index) => index.store),
      ...built.flatMap((index) => (index.baseline ? [index.baseline] : [])),
    ];
    const latencies = await measureLatency(bench, stores, latencyPasses);
    for (const store of stores) await store.close();
    const sizes = built.map((index) => indexSize(index));
    // The server reads the same settings the index was built and searched with.
    const serverEnv = Object.fromEntries(
      Object.entries(overrides).filter(([name]) => name !== 'LORECHAT_DATA_DIR'),
    );
    const servers = [];
    for (const index of built) {
      servers.push(
        serverQuestions > 0
          ? await measureServerMemory(
              index.dir,
              [...dataset.queries.values()].slice(0, serverQuestions),
              serverEnv,
            )
          : undefined,
      );
    }

    const [p50, p95] = [0.5, 0.95].map((fraction) =>
      latencies.map((sample) => percentile(sample, fraction)),
    ) as [number[], number[]];
    const megabytes = (bytes: number | undefined) =>
      bytes === undefined ? null : Math.round(bytes / 2 ** 20);
    const baseQuality = qualities[0]!;
    const largeQuality = qualities[1];
    /** Where the baseline of size `size` is in `latencies`: the pruned stores come first. */
    const baselineAt = (size: number) => built.length + size;
    const result = {
      dataset: values.dataset.split(/[\\/]/).filter(Boolean).at(-1),
      split: values.split,
      embeddings: embeddings.id,
      queries: dataset.queries.size,
      documents: base.documents,
      chunks: base.chunks,
      ...baseQuality.pruned.scores,
      index_s: round(base.indexSeconds, 1),
      p50_ms: round(p50[0]!, 2),
      p95_ms: round(p95[0]!, 2),
      bytes_per_chunk: sizes[0]!.total,
      keyword_bytes_per_chunk: sizes[0]!.keyword,
      server_rss_mb: megabytes(servers[0]?.rssBytes),
      ...(baseQuality.exhaustive
        ? {
            'exhaustive_ndcg@10': baseQuality.exhaustive.scores['ndcg@10'],
            rankings_differ: differingRankings(baseQuality.pruned, baseQuality.exhaustive),
            exhaustive_p50_ms: round(p50[baselineAt(0)]!, 2),
            exhaustive_p95_ms: round(p95[baselineAt(0)]!, 2),
          }
        : {}),
      ...(large && largeQuality
        ? {
            large_chunks: large.chunks,
            'large_ndcg@10': largeQuality.pruned.scores['ndcg@10'],
            large_index_s: round(large.indexSeconds, 1),
            large_p50_ms: round(p50[1]!, 2),
            large_p95_ms: round(p95[1]!, 2),
            p50_ratio: round(p50[1]! / p50[0]!, 2),
            p95_ratio: round(p95[1]! / p95[0]!, 2),
            large_bytes_per_chunk: sizes[1]!.total,
            large_keyword_bytes_per_chunk: sizes[1]!.keyword,
            large_server_rss_mb: megabytes(servers[1]?.rssBytes),
            large_server_peak_rss_mb: megabytes(servers[1]?.peakRssBytes),
            ...(largeQuality.exhaustive
              ? {
                  'large_exhaustive_ndcg@10': largeQuality.exhaustive.scores['ndcg@10'],
                  large_rankings_differ: differingRankings(
                    largeQuality.pruned,
                    largeQuality.exhaustive,
                  ),
                  large_exhaustive_p50_ms: round(p50[baselineAt(1)]!, 2),
                  large_exhaustive_p95_ms: round(p95[baselineAt(1)]!, 2),
                  exhaustive_p95_ratio: round(p95[baselineAt(1)]! / p95[baselineAt(0)]!, 2),
                  large_p95_speedup: round(p95[baselineAt(1)]! / p95[1]!, 2),
                }
              : {}),
          }
        : {}),
      latency_samples: latencies[0]!.length,
      bench_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    console.table(Object.entries(result).map(([metric, value]) => ({ metric, value })));
    console.log(JSON.stringify(result));
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

interface Bench {
  config: AppConfig;
  embeddings: EmbeddingProvider;
  analyzer: Analyzer;
  dataset: BeirDataset;
}

async function openStore(
  { config, embeddings }: Bench,
  dir: string,
  keywordRanking: 'pruned' | 'exhaustive' = 'pruned',
): Promise<EmbeddedStore> {
  const store = new EmbeddedStore(dir, config.retrieval.bm25, { keywordRanking });
  await store.init(embeddings.dimensions);
  return store;
}

async function buildDatasetIndex(bench: Bench, dir: string): Promise<Built> {
  const store = await openStore(bench, dir);
  const indexer = new Indexer(store, bench.analyzer, bench.embeddings);
  const started = performance.now();
  for (const document of bench.dataset.corpus) {
    await indexer.index({
      url: `${DOCUMENT_BASE}${encodeURIComponent(document.id)}`,
      title: document.title,
      markdown: document.text,
    });
  }
  const indexSeconds = (performance.now() - started) / 1000;
  return { dir, store, indexSeconds, ...(await store.stats()) };
}

/** A copy of the dataset's index (closed and reopened around the copy), grown with filler. */
async function growCopy(bench: Bench, base: Built, dir: string, target: number): Promise<Built> {
  await base.store.close();
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(base.dir, INDEX_FILE), join(dir, INDEX_FILE));
  base.store = await openStore(bench, base.dir);
  const store = await openStore(bench, dir);
  const indexer = new Indexer(store, bench.analyzer, bench.embeddings);
  const started = performance.now();
  await addSyntheticChunks(indexer, store, bench.dataset.corpus, target);
  const indexSeconds = (performance.now() - started) / 1000;
  return { dir, store, indexSeconds, ...(await store.stats()) };
}

interface Measured {
  scores: Quality;
  /** Per query, in the dataset's order: its documents, best first. */
  rankings: string[][];
}

async function measureQuality(
  { config, embeddings, analyzer, dataset }: Bench,
  store: EmbeddedStore,
): Promise<Measured> {
  const deepRetriever = new HybridRetriever(store, analyzer, embeddings, {
    ...config.retrieval,
    candidates: CHUNKS_PER_QUERY,
  });
  const totals = { ndcg10: 0, recall10: 0, recall100: 0, mrr10: 0 };
  const rankings: string[][] = [];
  for (const [queryId, text] of dataset.queries) {
    const hits = await deepRetriever.retrieve(text, { limit: CHUNKS_PER_QUERY });
    const ranked = [
      ...new Set(
        hits.map((hit) => decodeURIComponent(hit.chunk.documentUrl.slice(DOCUMENT_BASE.length))),
      ),
    ];
    rankings.push(ranked);
    const judged = dataset.qrels.get(queryId) ?? new Map<string, number>();
    totals.ndcg10 += ndcgAt(10, ranked, judged);
    totals.recall10 += recallAt(10, ranked, judged);
    totals.recall100 += recallAt(100, ranked, judged);
    totals.mrr10 += mrrAt(10, ranked, judged);
  }
  const count = dataset.queries.size;
  const scores: Quality = {
    'ndcg@10': round(totals.ndcg10 / count, 4),
    'recall@10': round(totals.recall10 / count, 4),
    'recall@100': round(totals.recall100 / count, 4),
    'mrr@10': round(totals.mrr10 / count, 4),
  };
  return { scores, rankings };
}

/** Questions whose deep document ranking differs between two measurements of the same queries. */
function differingRankings(left: Measured, right: Measured): number {
  return left.rankings.filter(
    (ranking, query) => ranking.join('\n') !== right.rankings[query]!.join('\n'),
  ).length;
}

/**
 * Sorted retrieval times per store, with the chat's settings. One untimed pass warms the caches;
 * then every query runs on every store in turn, the first store alternating from query to query.
 */
async function measureLatency(
  { config, embeddings, analyzer, dataset }: Bench,
  stores: EmbeddedStore[],
  passes: number,
): Promise<number[][]> {
  const retrievers = stores.map(
    (store) => new HybridRetriever(store, analyzer, embeddings, config.retrieval),
  );
  const samples = stores.map((): number[] => []);
  const queries = [...dataset.queries.values()];
  for (let pass = 0; pass <= passes; pass++) {
    for (const [number, text] of queries.entries()) {
      for (let turn = 0; turn < retrievers.length; turn++) {
        const which = (number + pass + turn) % retrievers.length;
        const started = performance.now();
        await retrievers[which]!.retrieve(text, { limit: config.retrieval.topK });
        if (pass > 0) samples[which]!.push(performance.now() - started);
      }
    }
  }
  return samples.map((sample) => sample.sort((left, right) => left - right));
}

/** Bytes per chunk of the closed index file, and of its keyword index alone. */
function indexSize({ dir, chunks }: Built): { total: number; keyword: number } {
  const file = join(dir, INDEX_FILE);
  const db = new Database(file, { readonly: true });
  try {
    const tables = db
      .prepare(
        `SELECT coalesce(sum(pgsize), 0) FROM dbstat
         WHERE name LIKE 'keyword%' OR name LIKE 'sqlite_autoindex_keyword%'`,
      )
      .pluck()
      .get() as number;
    const termLists = db
      .prepare('SELECT coalesce(sum(length(terms)), 0) FROM chunks')
      .pluck()
      .get() as number;
    return {
      total: Math.round(statSync(file).size / chunks),
      keyword: Math.round((tables + termLists) / chunks),
    };
  } finally {
    db.close();
  }
}

/** Filler chunks recombined from the corpus's sentences: realistic term statistics, no meaning. */
async function addSyntheticChunks(
  indexer: Indexer,
  store: EmbeddedStore,
  corpus: { text: string }[],
  target: number,
): Promise<void> {
  const sentences = corpus.flatMap((document) => document.text.split(/(?<=\.)\s+/));
  let seed = 42;
  const random = () => {
    // A fixed linear congruential sequence, so runs are comparable.
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
    return seed / 2_147_483_648;
  };
  // A filler page is one chunk, or two when its six sentences exceed the chunk size.
  for (let page = 0; (await store.stats()).chunks < target; page++) {
    const text = Array.from(
      { length: 6 },
      () => sentences[Math.floor(random() * sentences.length)] ?? '',
    ).join(' ');
    await indexer.index({
      url: `https://synthetic.lorechat.invalid/${page}`,
      title: '',
      markdown: text,
    });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
