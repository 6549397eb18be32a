import { LLM_DESCRIPTORS } from '../llm/providers/descriptors';
import { RERANK_DESCRIPTORS } from '../retrieval/rerank/descriptors';

/** What a model charges, in US dollars per million tokens. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}

/**
 * List prices of the providers' default models, as each provider's descriptor gives them.
 * `LLM_PRICES` adds models or overrides these, because prices change and regions differ; the
 * estimate only has to be close enough to alarm on.
 */
export const DEFAULT_LLM_PRICES: Readonly<Record<string, ModelPrice>> = Object.assign(
  {},
  ...Object.values(LLM_DESCRIPTORS).map((descriptor) => descriptor.prices),
) as Record<string, ModelPrice>;

/**
 * List prices of the rerank models, in USD per 1,000 queries of up to 100 documents, as each rerank
 * provider's descriptor gives them. RERANK_PRICE_PER_1000 overrides them: prices change, and
 * regions differ.
 */
export const DEFAULT_RERANK_PRICES: Readonly<Record<string, { perThousandUnits: number }>> =
  Object.assign(
    {},
    ...Object.values(RERANK_DESCRIPTORS).map((descriptor) => descriptor.prices),
  ) as Record<string, { perThousandUnits: number }>;
