/**
 * The fake Qdrant's errors and its reading of requests: ids, sparse vectors, filters and payload
 * selectors, with Qdrant's semantics as documented for v1.18 (see qdrant-server.ts).
 */
import { type Schemas } from '@qdrant/js-client-rest';
import { type StoredPoint } from './qdrant-snapshot-files';

/** An error Qdrant would answer with. */
export class QdrantError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export const badInput = (message: string) => new QdrantError(400, `Wrong input: ${message}`);
export const notImplemented = (what: string) =>
  new QdrantError(400, `the fake Qdrant does not implement ${what}`);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Qdrant ids are unsigned integers or UUIDs; UUIDs come back lower-case and hyphenated. */
export function normaliseId(id: unknown): string | number {
  if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0) return id;
  if (typeof id === 'string' && UUID.test(id)) return id.toLowerCase();
  throw new QdrantError(
    400,
    `Format error in JSON body: value ${JSON.stringify(id)} is not a valid point ID, valid ` +
      'values are either an unsigned integer or a UUID',
  );
}

export function compareIds(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  // Integer ids sort before UUIDs, as in Qdrant.
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function checkSparse(value: unknown): Schemas['SparseVector'] {
  const vector = value as Partial<Schemas['SparseVector']> | null;
  const { indices, values } = vector ?? {};
  if (!isNumberArray(indices) || !isNumberArray(values)) {
    throw badInput('a sparse vector needs `indices` and `values` lists');
  }
  if (indices.length !== values.length) {
    throw new QdrantError(
      422,
      'Validation error in JSON body: [indices: must be the same length as values]',
    );
  }
  if (!indices.every((index) => Number.isInteger(index) && index >= 0 && index < 2 ** 32)) {
    throw badInput('sparse indices must be unsigned 32-bit integers');
  }
  if (new Set(indices).size !== indices.length) {
    throw new QdrantError(422, 'Validation error in JSON body: [indices: must be unique]');
  }
  return { indices, values };
}

export function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  a.forEach((value, i) => {
    const other = b[i] ?? 0;
    dot += value * other;
    normA += value * value;
    normB += other * other;
  });
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

export function matches(
  filter: Schemas['Filter'] | Record<string, unknown> | null | undefined,
  point: StoredPoint,
): boolean {
  if (!filter) return true;
  const { must, must_not: mustNot, should, ...rest } = filter as Schemas['Filter'];
  if (Object.keys(rest).length > 0) {
    throw notImplemented(`filter clauses ${Object.keys(rest).join(', ')}`);
  }
  const list = (conditions: Schemas['Filter']['must']): Schemas['Condition'][] =>
    conditions === undefined || conditions === null
      ? []
      : Array.isArray(conditions)
        ? conditions
        : [conditions];
  const shouldList = list(should);
  return (
    list(must).every((condition) => holds(condition, point)) &&
    !list(mustNot).some((condition) => holds(condition, point)) &&
    (shouldList.length === 0 || shouldList.some((condition) => holds(condition, point)))
  );
}

export function holds(condition: Schemas['Condition'], point: StoredPoint): boolean {
  if (!('key' in condition)) {
    if ('must' in condition || 'should' in condition || 'must_not' in condition) {
      return matches(condition, point);
    }
    throw notImplemented(`conditions other than field conditions: ${JSON.stringify(condition)}`);
  }
  const raw = point.payload[condition.key];
  const values = Array.isArray(raw) ? (raw as unknown[]) : [raw];
  if (condition.match) {
    if (!('value' in condition.match)) throw notImplemented('match other than match.value');
    const expected = condition.match.value;
    return values.some((value) => value === expected);
  }
  if (condition.range) {
    const { gt, gte, lt, lte } = condition.range as {
      gt?: number | null;
      gte?: number | null;
      lt?: number | null;
      lte?: number | null;
    };
    return values.some(
      (value) =>
        typeof value === 'number' &&
        (gt == null || value > gt) &&
        (gte == null || value >= gte) &&
        (lt == null || value < lt) &&
        (lte == null || value <= lte),
    );
  }
  throw notImplemented(`field conditions other than match and range on "${condition.key}"`);
}

export function withPayload(
  point: StoredPoint,
  selector: unknown,
): { payload?: Record<string, unknown> } {
  if (selector === true) return { payload: point.payload };
  if (selector === false || selector === null || selector === undefined) return {};
  if (Array.isArray(selector) && selector.every((key) => typeof key === 'string')) {
    return {
      payload: Object.fromEntries(
        Object.entries(point.payload).filter(([key]) => selector.includes(key)),
      ),
    };
  }
  throw notImplemented('payload selectors other than true, false or a list of keys');
}

export function isNumberArray(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'number');
}
