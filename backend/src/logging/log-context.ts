import { AsyncLocalStorage } from 'node:async_hooks';
import { type Bindings } from 'pino';

const context = new AsyncLocalStorage<Bindings>();

/**
 * Runs `work` with `bindings` added to every line logged from it, however deep and however
 * asynchronous: a request's id, an answer's ids. Nested contexts add to the outer one.
 */
export function withLogContext<T>(bindings: Bindings, work: () => T): T {
  return context.run({ ...context.getStore(), ...bindings }, work);
}

/** The bindings of the context the caller runs in, if any. */
export function currentLogContext(): Bindings | undefined {
  return context.getStore();
}
