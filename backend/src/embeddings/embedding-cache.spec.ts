import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CachedEmbeddings } from './embedding-cache';
import { EmbeddingProvider } from './embedding-provider';

/** A provider that records every call and embeds each text as [length, first char code, 0.5]. */
class CountingProvider extends EmbeddingProvider {
  readonly dimensions = 3;
  readonly calls: { texts: string[]; purpose: string }[] = [];

  constructor(readonly id = 'counting:v1@3') {
    super();
  }

  embed(texts: string[], purpose: 'query' | 'document'): Promise<number[][]> {
    this.calls.push({ texts, purpose });
    return Promise.resolve(texts.map((text) => [text.length, text.charCodeAt(0) || 0, 0.5]));
  }
}

let dir: string;
let file: string;
const open: CachedEmbeddings[] = [];

function cached(provider: EmbeddingProvider): CachedEmbeddings {
  const cache = new CachedEmbeddings(provider, file);
  open.push(cache);
  return cache;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'lorechat-embedding-cache-'));
  file = join(dir, 'data', 'embeddings-cache.sqlite');
});

afterEach(() => {
  for (const cache of open.splice(0)) cache.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('CachedEmbeddings', () => {
  it('takes its size and id from the provider it wraps', () => {
    const cache = cached(new CountingProvider());

    expect(cache.dimensions).toBe(3);
    expect(cache.id).toBe('counting:v1@3');
  });

  it('embeds a text once; the second call reaches no provider', async () => {
    const provider = new CountingProvider();
    const cache = cached(provider);

    const first = await cache.embed(['alpha', 'beta'], 'document');
    const second = await cache.embed(['beta', 'alpha'], 'document');

    expect(provider.calls).toHaveLength(1);
    expect(first).toEqual([
      [5, 97, 0.5],
      [4, 98, 0.5],
    ]);
    expect(second).toEqual([first[1], first[0]]);
  });

  it('sends only the misses, in one call, in order', async () => {
    const provider = new CountingProvider();
    const cache = cached(provider);
    await cache.embed(['b'], 'document');

    const vectors = await cache.embed(['a', 'b', 'cc', 'd'], 'document');

    expect(provider.calls.map(({ texts }) => texts)).toEqual([['b'], ['a', 'cc', 'd']]);
    expect(vectors.map((vector) => vector[1])).toEqual([97, 98, 99, 100]);
  });

  it('embeds a text repeated within one call once', async () => {
    const provider = new CountingProvider();

    const vectors = await cached(provider).embed(['same', 'other', 'same'], 'document');

    expect(provider.calls).toEqual([{ texts: ['same', 'other'], purpose: 'document' }]);
    expect(vectors[2]).toEqual(vectors[0]);
  });

  it('keeps its vectors across restarts', async () => {
    const before = cached(new CountingProvider());
    const vectors = await before.embed(['alpha'], 'document');
    before.close();
    const provider = new CountingProvider();

    const after = await cached(provider).embed(['alpha'], 'document');

    expect(provider.calls).toHaveLength(0);
    expect(after).toEqual(vectors);
  });

  it('does not hand one provider’s vectors to another', async () => {
    await cached(new CountingProvider('counting:v1@3')).embed(['alpha'], 'document');
    const other = new CountingProvider('counting:v2@3');

    await cached(other).embed(['alpha'], 'document');

    expect(other.calls).toHaveLength(1);
  });

  it('passes queries straight through, storing nothing', async () => {
    const provider = new CountingProvider();
    const cache = cached(provider);

    await cache.embed(['question'], 'query');
    await cache.embed(['question'], 'query');
    await cache.embed(['question'], 'document');

    expect(provider.calls.map(({ purpose }) => purpose)).toEqual(['query', 'query', 'document']);
  });

  it('returns hits and misses in the same Float32 precision', async () => {
    const provider = new CountingProvider();
    provider.embed = (texts) => Promise.resolve(texts.map(() => [0.1, 0.2, 0.3]));
    const cache = cached(provider);

    const [miss] = await cache.embed(['x'], 'document');
    const [hit] = await cache.embed(['x'], 'document');

    expect(hit).toEqual(miss);
    expect(miss).toEqual(Array.from(Float32Array.of(0.1, 0.2, 0.3)));
  });

  it('stores nothing when the provider fails, so the next call tries again', async () => {
    const provider = new CountingProvider();
    const embed = provider.embed.bind(provider);
    provider.embed = () => Promise.reject(new Error('provider down'));
    const cache = cached(provider);

    await expect(cache.embed(['alpha'], 'document')).rejects.toThrow('provider down');
    provider.embed = embed;
    await cache.embed(['alpha'], 'document');

    expect(provider.calls).toHaveLength(1);
  });

  it('says what to do with a file that is not a cache', () => {
    const corrupt = join(dir, 'corrupt.sqlite');
    writeFileSync(
      corrupt,
      'this is not a database, just text that is long enough to have a header',
    );

    expect(() => new CachedEmbeddings(new CountingProvider(), corrupt)).toThrow(
      `embedding cache ${corrupt} cannot be opened (file is not a database): delete it`,
    );
  });
});
