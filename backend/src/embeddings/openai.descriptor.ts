import { type EmbeddingDescriptor } from './embedding-descriptor';
import type * as OpenAi from './openai.embeddings';

/* eslint-disable @typescript-eslint/no-require-imports -- loaded when picked: see ProviderDescriptor */
export const openai: EmbeddingDescriptor<'openai'> = {
  id: 'openai',
  defaultModel: 'text-embedding-3-small',
  apiKey: { variable: 'OPENAI_API_KEY', optionalWithBaseUrl: true },
  needsRegion: false,
  create: (settings) =>
    new (require('./openai.embeddings') as typeof OpenAi).OpenAiEmbeddings(settings),
};
