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
export function guardStream(
  open: (signal: AbortSignal) => AsyncIterable<LlmEvent>,
  options: GuardOptions,
): AsyncIterableIterator<LlmEvent> {
  return new GuardedStream(open, options);
}

const DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };

/**
 * The guard as a hand-written iterator rather than an async generator: it runs for every token
 * of every answer, and a generator's resumption and yield cost several promises per token where
 * this costs one (bench:chat profile). For the same reason it keeps one timer, refreshed rather
 * than re-created, and one abort listener. One `next` at a time, as `for await` calls it.
 */
class GuardedStream implements AsyncIterableIterator<LlmEvent> {
  private readonly controller = new AbortController();
  private iterator?: AsyncIterator<LlmEvent>;
  private timer?: NodeJS.Timeout;
  private state: 'new' | 'open' | 'closed' = 'new';
  private sawUsage = false;
  /** The open wait's settlers: set only while the caller waits for the next event. */
  private resolve?: (result: IteratorResult<LlmEvent>) => void;
  private reject?: (error: unknown) => void;
  private readonly abortFromCaller = () => this.controller.abort(this.options.signal.reason);
  private readonly waitFor = (
    resolve: (result: IteratorResult<LlmEvent>) => void,
    reject: (error: unknown) => void,
  ) => {
    this.resolve = resolve;
    this.reject = reject;
  };
  private readonly onStep = (step: IteratorResult<LlmEvent>) => {
    if (!this.resolve) return;
    if (step.done) {
      this.finish(
        this.sawUsage
          ? DONE
          : new LlmError('interrupted', 'the provider stream ended before it reported completion'),
      );
      return;
    }
    if (step.value.type === 'usage') this.sawUsage = true;
    this.settle(step);
  };
  private readonly onError = (error: unknown) => {
    if (!this.resolve) return;
    // A provider failing because the caller cancelled: the caller knows, the stream just ends.
    this.finish(this.controller.signal.aborted && this.options.signal.aborted ? DONE : error);
  };
  /** Cancelled (or timed out, which settles first): the stream ends quietly. */
  private readonly onAbort = () => {
    if (this.resolve) this.finish(DONE);
  };
  /** Only while a wait is open: a timer that fires between waits has nothing to time out. */
  private readonly onTimeout = () => {
    if (!this.resolve) return;
    const reject = this.reject!;
    this.resolve = this.reject = undefined;
    this.close();
    reject(
      new LlmError(
        'timeout',
        `no output from the provider within ${this.options.idleTimeoutMs} ms`,
      ),
    );
  };

  constructor(
    private readonly open: (signal: AbortSignal) => AsyncIterable<LlmEvent>,
    private readonly options: GuardOptions,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<LlmEvent>> {
    if (this.state === 'new') this.start();
    if (this.state === 'closed') return Promise.resolve(DONE);
    if (this.controller.signal.aborted) {
      this.close();
      return Promise.resolve(DONE);
    }
    const step = new Promise<IteratorResult<LlmEvent>>(this.waitFor);
    this.timer!.refresh();
    this.iterator!.next().then(this.onStep, this.onError);
    return step;
  }

  /** The caller stopped reading: release the provider. */
  return(): Promise<IteratorResult<LlmEvent>> {
    this.close();
    return Promise.resolve(DONE);
  }

  private start(): void {
    const { signal, idleTimeoutMs } = this.options;
    if (signal.aborted) {
      this.state = 'closed';
      return;
    }
    this.state = 'open';
    signal.addEventListener('abort', this.abortFromCaller, { once: true });
    this.controller.signal.addEventListener('abort', this.onAbort, { once: true });
    this.timer = setTimeout(this.onTimeout, idleTimeoutMs);
    this.iterator = this.open(this.controller.signal)[Symbol.asyncIterator]();
  }

  private settle(result: IteratorResult<LlmEvent>): void {
    const resolve = this.resolve!;
    this.resolve = this.reject = undefined;
    resolve(result);
  }

  /** Ends the stream with its last result, or an error. */
  private finish(outcome: unknown): void {
    const { resolve, reject } = this;
    this.resolve = this.reject = undefined;
    this.close();
    if (outcome === DONE) resolve?.(DONE);
    else reject?.(outcome);
  }

  private close(): void {
    if (this.state !== 'open') {
      this.state = 'closed';
      return;
    }
    this.state = 'closed';
    clearTimeout(this.timer);
    this.options.signal.removeEventListener('abort', this.abortFromCaller);
    this.controller.signal.removeEventListener('abort', this.onAbort);
    this.controller.abort();
    // Let the provider release its connection; it may already have failed, which is fine here.
    this.iterator?.return?.().catch(() => undefined);
  }
}
