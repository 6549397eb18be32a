import { EmbeddingProvider } from './embedding-provider';

/**
 * Keyword-only retrieval: no vectors at all. The retriever skips the dense side when `dimensions`
 * is 0, so a request for vectors here is a bug in the caller, reported rather than answered with
 * vectors that would mean nothing.
 */
export class NoEmbeddings extends EmbeddingProvider {
  readonly dimensions = 0;
  readonly id = 'none';

  embed(texts: string[], _purpose: 'query' | 'document'): Promise<number[][]> {
    if (texts.length === 0) return Promise.resolve([]);
    return Promise.reject(
      new Error(
        `EMBEDDING_PROVIDER=none embeds nothing, but was asked for ${texts.length} vector(s): ` +
          'keyword-only retrieval must not ask for dense vectors',
      ),
    );
  }
}
