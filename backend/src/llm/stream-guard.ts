import { LlmError } from './llm-error';
import { type LlmEvent } from './llm-provider';

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
  const watch = new IdleWatch(iterator, idleTimeoutMs, controller.signal);
  let sawUsage = false;
  try {
    for (;;) {
      const step = await watch.next();
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
    watch.dispose();
    signal.removeEventListener('abort', abortFromCaller);
    controller.abort();
    // Let the provider release its connection; it may already have failed, which is fine here.
    iterator.return?.().catch(() => undefined);
  }
  if (!sawUsage) {
    throw new LlmError('interrupted', 'the provider stream ended before it reported completion');
  }
}

type Step<T> = IteratorResult<T> | 'timeout' | 'aborted';

/**
 * Waits for an iterator's next step, or for a timeout or an abort, whichever comes first. It runs
 * for every token of every answer, so it keeps one timer (refreshed, not re-created), one abort
 * listener and one promise per wait, where a `Promise.race` per token would build two more
 * promises, a timer and a listener each time.
 */
class IdleWatch<T> {
  private resolve?: (step: Step<T>) => void;
  private reject?: (error: unknown) => void;
  private readonly timer: NodeJS.Timeout;
  private readonly waitFor = (
    resolve: (step: Step<T>) => void,
    reject: (error: unknown) => void,
  ) => {
    this.resolve = resolve;
    this.reject = reject;
  };
  private readonly onStep = (step: IteratorResult<T>) => this.settle(step);
  private readonly onError = (error: unknown) => {
    const reject = this.reject;
    this.resolve = this.reject = undefined;
    reject?.(error);
  };
  private readonly onAbort = () => this.settle('aborted');

  constructor(
    private readonly iterator: AsyncIterator<T>,
    timeoutMs: number,
    private readonly signal: AbortSignal,
  ) {
    this.timer = setTimeout(() => this.settle('timeout'), timeoutMs);
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** The next step; a step that loses to a timeout or an abort is dropped, rejection included. */
  next(): Promise<Step<T>> {
    if (this.signal.aborted) return Promise.resolve('aborted');
    const step = new Promise<Step<T>>(this.waitFor);
    this.timer.refresh();
    this.iterator.next().then(this.onStep, this.onError);
    return step;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.signal.removeEventListener('abort', this.onAbort);
  }

  /** Only while a wait is open: a timer that fires between waits has nothing to time out. */
  private settle(step: Step<T>): void {
    const resolve = this.resolve;
    this.resolve = this.reject = undefined;
    resolve?.(step);
  }
}
