/**
 * Property-based fuzzing of every chat event (fast-check), against the started application over a
 * real socket.io-client connection: generated payloads of every shape a broken or hostile client
 * could send. Each must be answered with an acknowledgement or a protocol error with a stable code
 * (never `internal`), the connection must survive, nothing may be logged as an error, and a normal
 * question must still be answered afterwards. The number of cases per event is FUZZ_RUNS.
 */
import fc from 'fast-check';
import { type AckResponse, ERROR_CODES, type ErrorPayload } from '@lorechat/contracts';
import { ChatClient, type RunningApp, startApp } from './support/app';
import { LogCapture } from './support/logs';

/** Cases per event, per run (reported in docs/security.md). */
export const FUZZ_RUNS = 1000;

/** Values of every JSON-able shape, prototype-polluting keys and long strings included. */
const junk = fc.oneof(
  fc.anything({ maxDepth: 4, withNullPrototype: true, withObjectString: true }),
  fc.string({ maxLength: 5000 }),
  fc.constantFrom('__proto__', 'constructor', '', ' ', '\u0000', 'x'.repeat(200_000)),
  fc.dictionary(
    fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString'),
    fc.anything(),
  ),
);

/** Payloads shaped like each event's, with each field replaced by junk or by a valid value. */
const field = <T>(valid: fc.Arbitrary<T>) => fc.option(fc.oneof(valid, junk), { nil: undefined });
const payloads = {
  ask: fc.oneof(
    junk,
    fc.record(
      {
        text: field(fc.string({ minLength: 1, maxLength: 3000 })),
        conversationId: field(fc.uuid()),
        page: field(fc.record({ url: fc.webUrl(), title: fc.string() })),
      },
      { requiredKeys: [] },
    ),
  ),
  feedback: fc.oneof(
    junk,
    fc.record(
      {
        messageId: field(fc.uuid()),
        rating: field(fc.constantFrom('up', 'down')),
        comment: field(fc.string({ maxLength: 3000 })),
      },
      { requiredKeys: [] },
    ),
  ),
  cancel: fc.oneof(junk, fc.record({ messageId: field(fc.uuid()) }, { requiredKeys: [] })),
};

/** Socket.IO's buffer for one message: 64 KB, or 8 bytes per allowed question character. */
const FRAME_LIMIT = 64 * 1024;
const frameSize = (payload: unknown) => Buffer.byteLength(JSON.stringify(payload) ?? '');

type Reply = { ack: AckResponse<object> } | { errors: ErrorPayload[] };

/**
 * Sends one event and collects its answer: the ack, or, for an event without one (cancel), the
 * error events it caused. Events are handled in order, so a probe sent after it (a feedback the
 * server must refuse) marks when everything it caused has arrived.
 */
async function send(client: ChatClient, event: string, payload: unknown): Promise<Reply> {
  if (event !== 'cancel') {
    return { ack: await client.socket.timeout(5000).emitWithAck(event as 'ask', payload) };
  }
  const errors: ErrorPayload[] = [];
  const collect = (error: ErrorPayload) => errors.push(error);
  client.socket.on('error', collect);
  try {
    client.socket.emit('cancel', payload as never);
    await client.socket.timeout(5000).emitWithAck('feedback', null);
  } finally {
    client.socket.off('error', collect);
  }
  // The last error is the probe's own refusal.
  return { errors: errors.slice(0, -1) };
}

function expectClearError(error: ErrorPayload): void {
  expect(ERROR_CODES).toContain(error.code);
  expect(error.code).not.toBe('internal');
  expect(typeof error.message).toBe('string');
  expect(error.message.length).toBeGreaterThan(0);
  expect(error.message.length).toBeLessThan(500);
}

describe('chat events under generated payloads (fast-check, real socket.io-client)', () => {
  let running: RunningApp;
  let client: ChatClient;
  const logs = new LogCapture();

  beforeAll(async () => {
    running = await startApp({ LOG_LEVEL: 'warn' }, { logDestination: logs });
    client = await ChatClient.connect(running.url);
  });
  afterAll(async () => {
    client.close();
    await running.stop();
  });

  /**
   * A frame larger than Socket.IO's buffer closes the connection before any handler sees it (the
   * widget reconnects): that is checked, and the test goes on with a new connection.
   */
  async function oversized(event: string, payload: unknown): Promise<boolean> {
    if (frameSize(payload) <= FRAME_LIMIT) return false;
    const closed = new Promise<string>((resolve) => client.socket.once('disconnect', resolve));
    client.socket.emit(event as 'ask', payload as never);
    const reason = await closed;
    client = await ChatClient.connect(running.url);
    expect(reason).toMatch(/^transport (close|error)$/);
    return true;
  }

  it.each(Object.keys(payloads) as (keyof typeof payloads)[])(
    'answers every generated %s with an ack or a clear error, and stays connected',
    async (event) => {
      await fc.assert(
        fc.asyncProperty(payloads[event], async (payload) => {
          if (await oversized(event, payload)) return;
          const reply = await send(client, event, payload);
          if ('errors' in reply) reply.errors.forEach(expectClearError);
          if ('ack' in reply && !reply.ack.ok) expectClearError(reply.ack.error);
          expect(client.socket.connected).toBe(true);
        }),
        { numRuns: FUZZ_RUNS },
      );
    },
    120_000,
  );

  it('refuses unknown events with bad_request', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc
          .string({ minLength: 1, maxLength: 200 })
          .filter(
            (name) =>
              !['ask', 'feedback', 'cancel'].includes(name) && !/^(connect|disconnect)/.test(name),
          ),
        junk,
        async (event, payload) => {
          if (await oversized(event, payload)) return;
          const reply = await send(client, event, payload);
          expect('ack' in reply && !reply.ack.ok && reply.ack.error.code).toBe('bad_request');
        },
      ),
      { numRuns: FUZZ_RUNS },
    );
  }, 120_000);

  it('logged no error, and still answers a real question', async () => {
    expect(logs.lines().filter((line) => line.level === 'ERROR' || line.level === 'FATAL')).toEqual(
      [],
    );
    const answer = await client.askAndWait({ text: 'How do I deploy to production?' });
    expect(answer.done?.cancelled).toBe(false);
    expect(answer.text.length).toBeGreaterThan(0);
  });
});
