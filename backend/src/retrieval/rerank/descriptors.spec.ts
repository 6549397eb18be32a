import { RERANK_PROVIDERS } from '@lorechat/contracts';
import { loadConfig } from '../../config/app-config';
import { createReranker } from '../retrieval.module';
import { RERANK_DESCRIPTORS } from './descriptors';

/** The settings each provider needs to start, and nothing else. */
const SETUP = {
  none: {},
  bedrock: { AWS_REGION: 'eu-west-1' },
  cohere: { COHERE_API_KEY: 'test-key' },
} as const;

describe('rerank provider descriptors', () => {
  it.each(RERANK_PROVIDERS)(
    'RERANK_PROVIDER=%s builds its reranker with its default model and list price',
    (id) => {
      const config = loadConfig({ RERANK_PROVIDER: id, ...SETUP[id] }, '/srv/app');
      const descriptor = RERANK_DESCRIPTORS[id];
      expect(descriptor.id).toBe(id);
      expect(config.rerank.model).toBe(descriptor.defaultModel);
      const reranker = createReranker(config);
      if (id === 'none') {
        expect(reranker).toBeUndefined();
        return;
      }
      expect(reranker?.describe()).toEqual({ provider: id, model: descriptor.defaultModel });
      expect(config.rerank.pricePerThousandUnits).toBe(
        descriptor.prices[descriptor.defaultModel]?.perThousandUnits,
      );
      expect(config.rerank.pricePerThousandUnits).toBeGreaterThan(0);
    },
  );

  it('prices Cohere Rerank 3.5 on Bedrock as Bedrock lists it', () => {
    const config = loadConfig(
      { RERANK_PROVIDER: 'bedrock', AWS_REGION: 'us-east-1', RERANK_MODEL: 'cohere.rerank-v3-5:0' },
      '/srv/app',
    );
    expect(config.rerank.pricePerThousandUnits).toBe(2);
    expect(createReranker(config)?.describe()).toEqual({
      provider: 'bedrock',
      model: 'cohere.rerank-v3-5:0',
    });
  });
});
