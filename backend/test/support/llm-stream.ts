/** Helpers for the provider specs, which drive each provider as the app does. */
import { once } from 'node:events';
import { createServer } from 'node:net';
import { LlmError } from '../../src/llm/llm-error';
import { type LlmEvent, type LlmProvider, type LlmRequest } from '../../src/llm/llm-provider';
import { guardStream } from '../../src/llm/stream-guard';

/** A short conversation that ends with the visitor's question. */
export const request: LlmRequest = {
  system: 'Answer only from the sources.',
  messages: [
    { role: 'user', content: 'Hi' },
    { role: 'assistant', content: 'Hello! Ask me about LoreChat.' },
    { role: 'user', content: 'What is LoreChat?' },
  ],
  question: 'What is LoreChat?',
  sources: [],
};

export interface Outcome {
  events: LlmEvent[];
  error?: unknown;
}

/** Consumes the provider through the guard, as the app does, keeping what arrived before a failure. */
export async function run(
  llm: LlmProvider,
  request: LlmRequest,
  {
    idleTimeoutMs = 1000,
    signal = new AbortController().signal,
    onEvent,
  }: { idleTimeoutMs?: number; signal?: AbortSignal; onEvent?: (event: LlmEvent) => void } = {},
): Promise<Outcome> {
  const events: LlmEvent[] = [];
  try {
    for await (const event of guardStream((guarded) => llm.stream(request, guarded), {
      idleTimeoutMs,
      signal,
    })) {
      events.push(event);
      onEvent?.(event);
    }
    return { events };
  } catch (error) {
    return { events, error };
  }
}

export function llmError(outcome: Outcome): LlmError {
  expect(outcome.error).toBeInstanceOf(LlmError);
  return outcome.error as LlmError;
}

export const tokens = (events: LlmEvent[]) =>
  events.flatMap((event) => (event.type === 'token' ? [event.text] : []));

/** A URL on a port that was just free and is now closed, so connecting is refused. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  server.close();
  await once(server, 'close');
  return `http://127.0.0.1:${port}`;
}
