import { type EmbeddingDescriptor } from './embedding-descriptor';
import type * as None from './none.embeddings';

/* eslint-disable @typescript-eslint/no-require-imports -- loaded when picked: see ProviderDescriptor */
export const none: EmbeddingDescriptor<'none'> = {
  id: 'none',
  defaultModel: 'none',
  needsRegion: false,
  create: () => new (require('./none.embeddings') as typeof None).NoEmbeddings(),
};
