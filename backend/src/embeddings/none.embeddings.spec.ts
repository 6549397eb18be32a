import { NoEmbeddings } from './none.embeddings';

describe('NoEmbeddings', () => {
  it('has no dimensions, so retrieval is keyword-only', () => {
    expect(new NoEmbeddings().dimensions).toBe(0);
    expect(new NoEmbeddings().id).toBe('none');
  });

  it('embeds nothing into nothing', async () => {
    await expect(new NoEmbeddings().embed([], 'document')).resolves.toEqual([]);
  });

  it('refuses to make vectors, which keyword-only retrieval never asks for', async () => {
    await expect(new NoEmbeddings().embed(['hello'], 'query')).rejects.toThrow(
      'EMBEDDING_PROVIDER=none embeds nothing, but was asked for 1 vector(s)',
    );
  });
});
