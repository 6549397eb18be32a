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

/** Cross-region inference profiles put a geography before the model id: `eu.amazon.nova-…`. */
const INFERENCE_PROFILE_PREFIX = /^(us|us-gov|eu|apac|ca|jp|au|global)\./;

/**
 * The price of a model: its own entry first, then the entry of the model behind an inference
 * profile. Undefined for a model nobody priced, so no made-up cost is ever reported.
 */
export function priceOf(
  model: string,
  prices: Readonly<Record<string, ModelPrice>>,
): ModelPrice | undefined {
  return prices[model] ?? prices[model.replace(INFERENCE_PROFILE_PREFIX, '')];
}

/** The cost of one answer in US dollars. */
export function answerCost(
  usage: { inputTokens: number; outputTokens: number },
  price: ModelPrice,
): number {
  return (
    (usage.inputTokens * price.inputPerMillion + usage.outputTokens * price.outputPerMillion) /
    1_000_000
  );
}

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
