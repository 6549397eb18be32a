import { type EmbeddingDescriptor } from './embedding-descriptor';
import type * as Bedrock from './bedrock.embeddings';

/* eslint-disable @typescript-eslint/no-require-imports -- loaded when picked: see ProviderDescriptor */
export const bedrock: EmbeddingDescriptor<'bedrock'> = {
  id: 'bedrock',
  defaultModel: 'amazon.titan-embed-text-v2:0',
  needsRegion: true,
  create: (settings) =>
    new (require('./bedrock.embeddings') as typeof Bedrock).BedrockEmbeddings(settings),
};
