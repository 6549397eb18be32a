/**
 * `npm run bench:retrieval -- --dataset DIR [--split train|test] [--embeddings none|local|openai|bedrock]
 *   [--synthetic-chunks N] [--k1 X] [--b X] [--rrf-k N] [--keyword-weight X] [--dense-weight X]`
 *
 * Indexes a BEIR corpus through the real ingest path (Indexer: chunking, analyzer, embeddings, the
 * embedded store) in a temporary data directory, runs every judged query through the real
 * Retriever, aggregates chunk hits to their document by best rank, and prints a table and, last, one
 * JSON line. Quality is scored on a deep ranking (200 chunks, for recall@100); latency (p50/p95) is
 * timed on a second pass over the same queries with the chat's own settings (RETRIEVAL_TOP_K
 * passages from RETRIEVAL_CANDIDATES per side), which is what a visitor waits for. `--synthetic-chunks N` adds filler chunks built from the corpus's own sentences until
 * the index holds N chunks, to measure latency at that size (quality figures then include the noise).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/app-config';
import { createEmbeddingProvider } from '../embeddings/embeddings.module';
import { Indexer } from '../ingest/indexer';
import { Analyzer } from '../text/analyzer';
import { HybridRetriever } from '../retrieval/retriever';
import { EmbeddedStore } from '../vector-store/embedded.store';
import { loadBeir, mrrAt, ndcgAt, percentile, recallAt } from './beir';

const DOCUMENT_BASE = 'https://bench.lorechat.invalid/doc/';
/** Chunks asked for per query: enough to fill the top 100 documents after aggregation. */
const CHUNKS_PER_QUERY = 200;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dataset: { type: 'string' },
      split: { type: 'string', default: 'test' },
      embeddings: { type: 'string', default: 'none' },
      'synthetic-chunks': { type: 'string', default: '0' },
      k1: { type: 'string' },
      b: { type: 'string' },
      'rrf-k': { type: 'string' },
      'keyword-weight': { type: 'string' },
      'dense-weight': { type: 'string' },
    },
  });
  if (!values.dataset) throw new Error('--dataset DIR is required (a BEIR-format folder)');
  const dataDir = mkdtempSync(join(tmpdir(), 'lorechat-bench-'));
  const overrides: Record<string, string | undefined> = {
    LORECHAT_DATA_DIR: dataDir,
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
    const store = new EmbeddedStore(config.dataDir, config.retrieval.bm25);
    await store.init(embeddings.dimensions);
    const analyzer = new Analyzer(config.retrieval.language);
    const indexer = new Indexer(store, analyzer, embeddings);

    const indexStart = performance.now();
    for (const document of dataset.corpus) {
      await indexer.index({
        url: `${DOCUMENT_BASE}${encodeURIComponent(document.id)}`,
        title: document.title,
        markdown: document.text,
      });
    }
    const syntheticChunks = Number(values['synthetic-chunks']);
    await addSyntheticChunks(indexer, store, dataset.corpus, syntheticChunks);
    const indexSeconds = (performance.now() - indexStart) / 1000;
    const stats = await store.stats();

    const deepRetriever = new HybridRetriever(store, analyzer, embeddings, {
      ...config.retrieval,
      candidates: CHUNKS_PER_QUERY,
    });
    const totals = { ndcg10: 0, recall10: 0, recall100: 0, mrr10: 0 };
    const rankingStart = performance.now();
    for (const [queryId, text] of dataset.queries) {
      const hits = await deepRetriever.retrieve(text, { limit: CHUNKS_PER_QUERY });
      const ranked = [
        ...new Set(
          hits.map((hit) => decodeURIComponent(hit.chunk.documentUrl.slice(DOCUMENT_BASE.length))),
        ),
      ];
      const judged = dataset.qrels.get(queryId) ?? new Map<string, number>();
      totals.ndcg10 += ndcgAt(10, ranked, judged);
      totals.recall10 += recallAt(10, ranked, judged);
      totals.recall100 += recallAt(100, ranked, judged);
      totals.mrr10 += mrrAt(10, ranked, judged);
    }
    const deepRankingMs = (performance.now() - rankingStart) / dataset.queries.size;

    const chatRetriever = new HybridRetriever(store, analyzer, embeddings, config.retrieval);
    const latencies: number[] = [];
    for (const text of dataset.queries.values()) {
      const started = performance.now();
      await chatRetriever.retrieve(text, { limit: config.retrieval.topK });
      latencies.push(performance.now() - started);
    }
    await store.close();

    const count = dataset.queries.size;
    latencies.sort((left, right) => left - right);
    const round = (value: number, digits: number) => Number(value.toFixed(digits));
    const result = {
      dataset: values.dataset.split(/[\\/]/).filter(Boolean).at(-1),
      split: values.split,
      embeddings: embeddings.id,
      queries: count,
      documents: stats.documents,
      chunks: stats.chunks,
      'ndcg@10': round(totals.ndcg10 / count, 4),
      'recall@10': round(totals.recall10 / count, 4),
      'recall@100': round(totals.recall100 / count, 4),
      'mrr@10': round(totals.mrr10 / count, 4),
      index_s: round(indexSeconds, 1),
      p50_ms: round(percentile(latencies, 0.5), 2),
      p95_ms: round(percentile(latencies, 0.95), 2),
      deep_ranking_ms: round(deepRankingMs, 1),
      rss_mb: Math.round(process.resourceUsage().maxRSS / 1024),
    };
    console.table(Object.entries(result).map(([metric, value]) => ({ metric, value })));
    console.log(JSON.stringify(result));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
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
  // Each filler page is one chunk (six sentences stay under the chunk size).
  const missing = target - (await store.stats()).chunks;
  for (let page = 0; page < missing; page++) {
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
