import { createHash } from 'node:crypto';
import { type Schemas } from '@qdrant/js-client-rest';
import { type Chunk, type ChunkInput, type IndexedDocument } from './chunk';
import { type Bm25Parameters } from './embedded.store';

/**
 * How the Qdrant store encodes chunks as points: ids, sparse BM25 weights under hashed term
 * indices, and the payload, and how it reads them back.
 */

/** Names of the two vectors every point may carry. */
export const DENSE = 'dense';
export const KEYWORDS = 'keywords';

/**
 * The chunk length, in analyzed terms, that BM25's length normalisation compares against. A
 * constant rather than the collection's running average: each point's keyword weights are computed
 * once, when it is written, so an average that drifted as the collection grew would weigh old and
 * new chunks by different yardsticks, and two processes writing at once would disagree. The chunker
 * caps chunks at 1,500 characters (about 230 words, some 150-190 terms once stop words go and
 * identifiers add their parts) and section ends make many chunks shorter, so 150 is close to the
 * real average; a constant that is off only rescales the effective `b` for every chunk alike.
 * Changing it requires re-ingesting, like any change to the analyzer.
 */
export const AVERAGE_CHUNK_TERMS = 150;

/** Fixed namespace for the name-based (version 5) UUIDs of points, so ids never change. */
const POINT_ID_NAMESPACE = Buffer.from('3f0b9c2e6d5a4e81b7c4a9d0e2f61358', 'hex');

/** The point a chunk is stored as: its sparse keyword weights, its embedding, its payload. */
export function toPoint(
  chunk: ChunkInput,
  document: IndexedDocument,
  indexVersion: number,
  bm25: Bm25Parameters,
): Schemas['PointStruct'] {
  const vector: Record<string, Schemas['Vector']> = {};
  // A chunk without terms (only punctuation, say) could never match a keyword query.
  if (chunk.terms.length > 0) vector[KEYWORDS] = keywordWeights(chunk.terms, bm25);
  if (chunk.embedding) vector[DENSE] = chunk.embedding;
  const payload = {
    id: chunk.id,
    documentUrl: chunk.documentUrl,
    site: chunk.site,
    url: chunk.url,
    position: chunk.position,
    title: chunk.title,
    headingPath: chunk.headingPath,
    text: chunk.text,
    language: chunk.language,
    contentHash: chunk.contentHash,
    indexVersion,
    // The document's hash, for documentHash(); read from chunk 0, the commit mark.
    documentContentHash: document.contentHash,
  } satisfies Chunk & { documentContentHash: string };
  return { id: pointId(chunk.id), vector, payload };
}

/**
 * BM25's term-frequency part for each term of a chunk: tf·(k1+1) / (tf + k1·(1−b+b·len/avgLen)).
 * Qdrant's idf modifier multiplies in ln(1 + (N−n+0.5)/(n+0.5)) at query time, and the query
 * vector carries each query term's count, so a keyword score is BM25 summed over query terms.
 */
function keywordWeights(terms: string[], { k1, b }: Bm25Parameters): Schemas['SparseVector'] {
  const lengthNorm = k1 * (1 - b + (b * terms.length) / AVERAGE_CHUNK_TERMS);
  const indices: number[] = [];
  const values: number[] = [];
  for (const [index, tf] of countByIndex(terms)) {
    indices.push(index);
    values.push((tf * (k1 + 1)) / (tf + lengthNorm));
  }
  return { indices, values };
}

/** The chunk a point's payload holds; an error naming the point if it is not LoreChat's. */
export function toChunk(point: Schemas['ScoredPoint'], collection: string): Chunk {
  const payload = point.payload ?? {};
  const field = <T>(name: keyof Chunk, valid: (value: unknown) => value is T): T => {
    const value = payload[name];
    if (valid(value)) return value;
    throw new Error(
      `point ${point.id} of Qdrant collection "${collection}" has no valid "${name}" in ` +
        'its payload: was it written by LoreChat?',
    );
  };
  return {
    id: field('id', isString),
    documentUrl: field('documentUrl', isString),
    site: field('site', isString),
    url: field('url', isString),
    position: field('position', isNumber),
    title: field('title', isString),
    headingPath: field('headingPath', isStringArray),
    text: field('text', isString),
    language: field('language', isString),
    contentHash: field('contentHash', isString),
    indexVersion: field('indexVersion', isNumber),
  };
}

/**
 * The sparse-vector index of an analyzed term: its 32-bit FNV-1a hash over UTF-8, so every process
 * and every release maps a term to the same dimension without a shared vocabulary. Two terms can
 * collide: with a vocabulary of V terms about V²/2³³ pairs do (around one pair at 100,000 terms), and
 * a colliding pair behaves as one term, which only blurs the ranking of queries using either.
 */
export function termIndex(term: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(term, 'utf8')) {
    hash = Math.imul(hash ^ byte, 0x01000193);
  }
  return hash >>> 0;
}

/** Term counts by sparse index; terms that collide add up, as Qdrant wants unique indices. */
export function countByIndex(terms: string[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const term of terms) {
    const index = termIndex(term);
    counts.set(index, (counts.get(index) ?? 0) + 1);
  }
  return counts;
}

/**
 * The point id of a chunk: a name-based UUID (RFC 9562 version 5) of the chunk id, as Qdrant takes
 * only unsigned integers and UUIDs, and a chunk written again must land on the same point.
 */
export function pointId(chunkId: string): string {
  const bytes = createHash('sha1')
    .update(POINT_ID_NAMESPACE)
    .update(chunkId, 'utf8')
    .digest()
    .subarray(0, 16);
  bytes.writeUInt8((bytes.readUInt8(6) & 0x0f) | 0x50, 6);
  bytes.writeUInt8((bytes.readUInt8(8) & 0x3f) | 0x80, 8);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function isString(value: unknown): value is string {
  return typeof value === 'string';
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number';
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every(isString);
}
