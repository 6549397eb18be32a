/**
 * The widget runs inside someone else's page: whatever goes wrong in it is reported on the console
 * and stops there, never reaching the page's own error handlers or breaking its scripts.
 */
export function report(error: unknown): void {
  console.error('LoreChat:', error);
}

/** Wraps a callback (event listener, timer, socket handler) so that nothing it throws escapes. */
export function guard<Args extends unknown[]>(
  callback: (...args: Args) => void,
): (...args: Args) => void {
  return (...args) => {
    try {
      callback(...args);
    } catch (error) {
      report(error);
    }
  };
}
