import { type EmbeddingProviderName } from '@lorechat/contracts';
import { type EmbeddingSettings } from '../config/app-config';
import { type ProviderDescriptor } from '../config/provider-descriptor';
import { type EmbeddingProvider } from './embedding-provider';

export type EmbeddingDescriptor<Id extends EmbeddingProviderName = EmbeddingProviderName> =
  ProviderDescriptor<Id, EmbeddingSettings, EmbeddingProvider>;
