import { setTimeout as sleep } from 'node:timers/promises';
import { LlmError } from './llm-error';
import { type LlmEvent } from './llm-provider';
import { guardStream } from './stream-guard';

const usage: LlmEvent = { type: 'usage', usage: { inputTokens: 3, outputTokens: 2 } };

async function collect(events: AsyncIterable<LlmEvent>): Promise<LlmEvent[]> {
  const seen: LlmEvent[] = [];
  for await (const event of events) seen.push(event);
  return seen;
}

async function* scripted(steps: (LlmEvent | number)[], signal: AbortSignal) {
  for (const step of steps) {
    if (typeof step === 'number') await sleep(step, undefined, { signal });
    else yield step;
  }
}

describe('guardStream', () => {
  it('passes a complete stream through', async () => {
    const events = guardStream(
      (signal) => scripted([{ type: 'token', text: 'hi' }, usage], signal),
      {
        idleTimeoutMs: 1000,
        signal: new AbortController().signal,
      },
    );
    expect(await collect(events)).toEqual([{ type: 'token', text: 'hi' }, usage]);
  });

  it('fails with a timeout when the provider goes quiet, and aborts the provider', async () => {
    let providerSignal: AbortSignal | undefined;
    const events = guardStream(
      (signal) => {
        providerSignal = signal;
        return scripted([{ type: 'token', text: 'a' }, 5000, usage], signal);
      },
      { idleTimeoutMs: 50, signal: new AbortController().signal },
    );
    await expect(collect(events)).rejects.toMatchObject({ failure: 'timeout' });
    expect(providerSignal?.aborted).toBe(true);
  });

  it('times out on silence, not on a long answer that keeps streaming', async () => {
    const steps = Array.from({ length: 6 }, (): (LlmEvent | number)[] => [
      30,
      { type: 'token', text: 'x' },
    ]);
    const events = guardStream((signal) => scripted([...steps.flat(), usage], signal), {
      idleTimeoutMs: 100,
      signal: new AbortController().signal,
    });
    expect(await collect(events)).toHaveLength(7);
  });

  it('counts only the provider’s silence: a caller slower than the timeout is not timed out', async () => {
    const tokens: LlmEvent[] = ['a', 'b', 'c'].map((text) => ({ type: 'token', text }));
    const events = guardStream((signal) => scripted([...tokens, usage], signal), {
      idleTimeoutMs: 50,
      signal: new AbortController().signal,
    });
    const seen: LlmEvent[] = [];
    for await (const event of events) {
      seen.push(event);
      await sleep(120);
    }
    expect(seen).toEqual([...tokens, usage]);
  });

  it('reports a stream that ends without usage as interrupted', async () => {
    const events = guardStream((signal) => scripted([{ type: 'token', text: 'half' }], signal), {
      idleTimeoutMs: 1000,
      signal: new AbortController().signal,
    });
    const failure = collect(events);
    await expect(failure).rejects.toBeInstanceOf(LlmError);
    await expect(failure).rejects.toMatchObject({
      failure: 'interrupted',
    });
  });

  it('ends quietly when the caller cancels, and aborts the provider', async () => {
    const caller = new AbortController();
    let providerSignal: AbortSignal | undefined;
    const seen: LlmEvent[] = [];
    const events = guardStream(
      (signal) => {
        providerSignal = signal;
        return scripted([{ type: 'token', text: 'a' }, 5000, usage], signal);
      },
      { idleTimeoutMs: 10_000, signal: caller.signal },
    );
    for await (const event of events) {
      seen.push(event);
      caller.abort();
    }
    expect(seen).toEqual([{ type: 'token', text: 'a' }]);
    expect(providerSignal?.aborted).toBe(true);
  });
});
