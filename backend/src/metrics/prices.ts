import { type ModelPrice } from '../config/model-prices';

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
