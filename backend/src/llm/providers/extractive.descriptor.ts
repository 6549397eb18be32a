import { type LlmDescriptor } from '../llm-descriptor';
import type * as Extractive from './extractive.provider';
import type * as Text from '../../text/analyzer';

/* eslint-disable @typescript-eslint/no-require-imports -- loaded when picked: see ProviderDescriptor */
export const extractive: LlmDescriptor<'extractive'> = {
  id: 'extractive',
  defaultModel: 'extractive',
  needsRegion: false,
  prices: { extractive: { inputPerMillion: 0, outputPerMillion: 0 } },
  // The offline answerer matches question words the way retrieval does.
  create: (_settings, config) => {
    const { ExtractiveProvider } = require('./extractive.provider') as typeof Extractive;
    const { Analyzer } = require('../../text/analyzer') as typeof Text;
    return new ExtractiveProvider(new Analyzer(config.retrieval.language));
  },
};
