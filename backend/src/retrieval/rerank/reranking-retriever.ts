import { type ScoredChunk } from '../../vector-store/chunk';
import { type RetrieveOptions, Retriever } from '../retriever';
import { type Reranker } from './reranker';

export interface RerankSettings {
  /** Fused candidates given to the reranker. */
  candidates: number;
  /** The rerank call's deadline; past it the fused order stands. */
  timeoutMs: number;
  /** USD per 1,000 billed units; undefined when nobody priced the model (no cost is reported). */
  pricePerThousandUnits?: number;
}

/** What one rerank did, for the metrics. */
export interface RerankReport {
  latencyMs: number;
  /** USD, when the model has a price. */
  costUsd?: number;
  failed: boolean;
}

/**
 * Retrieval, then a cross-encoder's reordering of the fused candidates (RERANK_PROVIDER). A
 * reranker that fails or is too slow costs the better order, never the answer: the fused order is
 * kept and the failure counted.
 */
export class RerankingRetriever extends Retriever {
  constructor(
    private readonly inner: Retriever,
    private readonly reranker: Reranker,
    private readonly settings: RerankSettings,
    private readonly report: (report: RerankReport) => void,
  ) {
    super();
  }

  async retrieve(query: string, options: RetrieveOptions): Promise<ScoredChunk[]> {
    const candidates = await this.inner.retrieve(query, {
      ...options,
      limit: Math.max(options.limit, this.settings.candidates),
    });
    if (candidates.length <= 1) return candidates.slice(0, options.limit);
    const documents = candidates.map(({ chunk }) =>
      [chunk.title, ...chunk.headingPath, chunk.text].join('\n'),
    );
    const started = performance.now();
    try {
      const result = await this.reranker.rerank(
        [...(options.context ?? []), query].join('\n'),
        documents,
        options.limit,
        AbortSignal.timeout(this.settings.timeoutMs),
      );
      const { pricePerThousandUnits } = this.settings;
      this.report({
        latencyMs: performance.now() - started,
        costUsd:
          pricePerThousandUnits === undefined
            ? undefined
            : (result.billedUnits * pricePerThousandUnits) / 1000,
        failed: false,
      });
      const reranked = result.items.flatMap(({ index, score }) => {
        const candidate = candidates[index];
        return candidate ? [{ chunk: candidate.chunk, score }] : [];
      });
      // A reranker that returned fewer than asked is topped up in the fused order.
      const chosen = new Set(reranked.map(({ chunk }) => chunk.id));
      const rest = candidates.filter(({ chunk }) => !chosen.has(chunk.id));
      return [...reranked, ...rest].slice(0, options.limit);
    } catch {
      this.report({ latencyMs: performance.now() - started, failed: true });
      return candidates.slice(0, options.limit);
    }
  }
}
