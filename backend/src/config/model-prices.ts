/** What a model charges, in US dollars per million tokens. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}

/**
 * List prices of the default models (USD per million tokens, on-demand, as published by OpenAI,
 * Anthropic and AWS for us-east-1 on 2026-11-26). `LLM_PRICES` adds models or overrides these,
 * because prices change and regions differ; the estimate only has to be close enough to alarm on.
 */
export const DEFAULT_LLM_PRICES: Readonly<Record<string, ModelPrice>> = {
  extractive: { inputPerMillion: 0, outputPerMillion: 0 },
  'gpt-4o-mini': { inputPerMillion: 0.15, outputPerMillion: 0.6 },
  'claude-3-5-haiku-latest': { inputPerMillion: 0.8, outputPerMillion: 4 },
  'amazon.nova-lite-v1:0': { inputPerMillion: 0.06, outputPerMillion: 0.24 },
};

/**
 * List prices of the rerank models this project knows, in USD per 1,000 queries of up to 100
 * documents (on-demand, as published by AWS for us-east-1 and by Cohere on 2026-11-26).
 * RERANK_PRICE_PER_1000 overrides them: prices change, and regions differ.
 */
export const DEFAULT_RERANK_PRICES: Readonly<Record<string, { perThousandUnits: number }>> = {
  'amazon.rerank-v1:0': { perThousandUnits: 1 },
  'cohere.rerank-v3-5:0': { perThousandUnits: 2 },
  'rerank-v3.5': { perThousandUnits: 2 },
};
