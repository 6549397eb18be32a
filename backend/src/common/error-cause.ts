/**
 * The low-level reason behind a network failure (e.g. ` (ECONNREFUSED)`), which carries no secrets,
 * or '' when there is none. Checked by shape rather than `instanceof Error`: Node's built-in fetch
 * creates its errors in its own realm, which is not always ours (under Jest, for one).
 */
export function describeCause(error: unknown): string {
  let current = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    const { code, cause } = current as { code?: unknown; cause?: unknown };
    if (typeof code === 'string') return ` (${code})`;
    current = cause;
  }
  return '';
}
