/** Reading resource props as a policy receives them: plain JSON whose shape is not trusted. */

/** The engine hands props as plain JSON; this reads a nested value without trusting its shape. */
export type Json = Record<string, unknown>;

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A prop as text for matching and messages: strings as they are, anything else as JSON. */
export function text(value: unknown, fallback = ''): string {
  if (value === undefined || value === null) return fallback;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function asArray(value: unknown): unknown[] {
  if (value === undefined || value === null) return [];
  return Array.isArray(value) ? value : [value];
}
