import { LlmError, type LlmEvent } from './llm-provider';

export interface GuardOptions {
  /** Longest wait for the provider's next event (the first token, then each one after). */
  idleTimeoutMs: number;
  /** Aborted when the visitor cancels or disconnects. */
  signal: AbortSignal;
}

/**
 * Runs a provider stream under the rules every provider shares, so no provider re-implements them:
 *
 * - an idle timeout rather than a total one, because a long answer that keeps streaming is fine
 *   while a provider that goes quiet is not;
 * - cancellation that aborts the provider's HTTP request (the provider gets our own signal), then
 *   ends the stream quietly: the caller knows it cancelled;
 * - a stream that ends without its closing `usage` event was cut off, and is an error rather than a
 *   silently truncated answer.
 */
export async function* guardStream(
  open: (signal: AbortSignal) => AsyncIterable<LlmEvent>,
  { idleTimeoutMs, signal }: GuardOptions,
): AsyncGenerator<LlmEvent, void, undefined> {
  const controller = new AbortController();
  const abortFromCaller = () => controller.abort(signal.reason);
  if (signal.aborted) return;
  signal.addEventListener('abort', abortFromCaller, { once: true });

  const iterator = open(controller.signal)[Symbol.asyncIterator]();
  let sawUsage = false;
  try {
    for (;;) {
      const step = await nextWithin(iterator, idleTimeoutMs, controller.signal);
      if (step === 'aborted') return;
      if (step === 'timeout') {
        controller.abort();
        throw new LlmError('timeout', `no output from the provider within ${idleTimeoutMs} ms`);
      }
      if (step.done) break;
      if (step.value.type === 'usage') sawUsage = true;
      yield step.value;
    }
  } catch (error) {
    if (controller.signal.aborted && signal.aborted) return;
    throw error;
  } finally {
    signal.removeEventListener('abort', abortFromCaller);
    controller.abort();
    // Let the provider release its connection; it may already have failed, which is fine here.
    iterator.return?.().catch(() => undefined);
  }
  if (!sawUsage) {
    throw new LlmError('interrupted', 'the provider stream ended before it reported completion');
  }
}

async function nextWithin<T>(
  iterator: AsyncIterator<T>,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<IteratorResult<T> | 'timeout' | 'aborted'> {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const next = iterator.next();
  // A rejection that loses the race must not surface as an unhandled rejection.
  next.catch(() => undefined);
  try {
    return await Promise.race([
      next,
      new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs);
      }),
      new Promise<'aborted'>((resolve) => {
        onAbort = () => resolve('aborted');
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      }),
    ]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}
