import { type RerankProviderName } from '@lorechat/contracts';
import { type RerankConfig } from '../../config/app-config';
import { type ProviderDescriptor } from '../../config/provider-descriptor';
import { type Reranker } from './reranker';

/**
 * A rerank provider's descriptor, with the list prices of its models for the cost metrics. Its
 * `create` gives no reranker for `none`: the fused order is kept.
 */
export interface RerankDescriptor<
  Id extends RerankProviderName = RerankProviderName,
> extends ProviderDescriptor<Id, RerankConfig, Reranker | undefined> {
  /** USD per 1,000 billed units (a query with up to 100 documents) by model id. */
  prices: Readonly<Record<string, { perThousandUnits: number }>>;
}
