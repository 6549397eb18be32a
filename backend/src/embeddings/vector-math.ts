/**
 * Scales `vector` to length 1, so that the stores can rank by dot product whatever the provider.
 * A vector of length 0 has no direction and stays all zeros: it is similar to nothing.
 */
export function unitNormalise(vector: ArrayLike<number>): number[] {
  let squares = 0;
  for (let i = 0; i < vector.length; i += 1) squares += (vector[i] ?? 0) ** 2;
  const length = Math.sqrt(squares);
  return Array.from(vector, (value) => (length === 0 ? 0 : value / length));
}

/** The vector given to a text with nothing to embed (empty, or no known words). */
export function zeroVector(dimensions: number): number[] {
  return new Array<number>(dimensions).fill(0);
}
