import { type RerankDescriptor } from './rerank-descriptor';

/** Reranking off, the default: the fused order of keyword and dense search is the answer's. */
export const none: RerankDescriptor<'none'> = {
  id: 'none',
  defaultModel: 'none',
  needsRegion: false,
  prices: {},
  create: () => undefined,
};
