/**
 * The fake Qdrant's point query (POST …/points/query): a dense vector scored by cosine, or a
 * sparse one by dot product, with Qdrant's IDF when the sparse vector has the `idf` modifier.
 */
import { type Schemas } from '@qdrant/js-client-rest';
import {
  badInput,
  checkSparse,
  cosine,
  isNumberArray,
  matches,
  notImplemented,
  withPayload,
} from './qdrant-matching';
import { type StoredCollection, type StoredPoint } from './qdrant-snapshot-files';

export function queryPoints(
  collection: StoredCollection,
  request: Schemas['QueryRequest'],
): Schemas['QueryResponse'] {
  if (request.prefetch || request.offset || request.score_threshold || request.lookup_from) {
    throw notImplemented('prefetch, offset, score_threshold or lookup_from in queries');
  }
  const using = request.using ?? '';
  const candidates = [...collection.points.values()].filter((point) =>
    matches(request.filter, point),
  );
  let scored: { point: StoredPoint; score: number }[];
  const dense = collection.dense[using];
  if (dense) {
    if (!isNumberArray(request.query)) throw notImplemented(`non-vector queries on "${using}"`);
    const query = request.query;
    if (query.length !== dense.size) {
      throw badInput(`Vector dimension error: expected dim: ${dense.size}, got ${query.length}`);
    }
    scored = candidates.flatMap((point) => {
      const vector = point.dense.get(using);
      return vector ? [{ point, score: cosine(query, vector) }] : [];
    });
  } else if (collection.sparse[using]) {
    const query = checkSparse(request.query);
    const idf = collection.sparse[using].modifier === 'idf';
    const weights = query.indices.map((index, i) => {
      const value = query.values[i] ?? 0;
      return idf ? value * inverseDocumentFrequency(collection, using, index) : value;
    });
    scored = candidates.flatMap((point) => {
      const vector = point.sparse.get(using);
      if (!vector) return [];
      const values = new Map(vector.indices.map((index, i) => [index, vector.values[i] ?? 0]));
      let score = 0;
      let overlaps = false;
      query.indices.forEach((index, i) => {
        const value = values.get(index);
        if (value === undefined) return;
        overlaps = true;
        score += (weights[i] ?? 0) * value;
      });
      return overlaps ? [{ point, score }] : [];
    });
  } else {
    throw badInput(`Not existing vector name error: ${using}`);
  }
  scored.sort((a, b) => b.score - a.score);
  return {
    points: scored.slice(0, request.limit ?? 10).map(({ point, score }) => ({
      id: point.id,
      version: point.version,
      score,
      ...withPayload(point, request.with_payload ?? false),
    })),
  };
}

/** Qdrant's IDF over the whole collection, whatever the query's filter. */
function inverseDocumentFrequency(
  collection: StoredCollection,
  vectorName: string,
  index: number,
): number {
  const points = [...collection.points.values()];
  const containing = points.filter((point) => {
    const vector = point.sparse.get(vectorName);
    const at = vector?.indices.indexOf(index) ?? -1;
    return at >= 0 && vector?.values[at] !== 0;
  }).length;
  return Math.log(1 + (points.length - containing + 0.5) / (containing + 0.5));
}
