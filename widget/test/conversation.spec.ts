import type { AckResponse, AskAccepted, AskPayload, FeedbackPayload } from '@lorechat/contracts';
import {
  type ChatConnection,
  Conversation,
  type SavedConversation,
  type Turn,
} from '../src/conversation';

type Reply = (response: AckResponse<AskAccepted> | undefined) => void;

/** A connection the test drives by hand: it records asks and lets the test answer them. */
class FakeConnection implements ChatConnection {
  online = false;
  refused = false;
  connectCalls = 0;
  readonly asks: { payload: AskPayload; reply: Reply }[] = [];
  readonly cancels: string[] = [];
  readonly feedbacks: FeedbackPayload[] = [];
  feedbackAccepted = true;

  connect(): void {
    this.connectCalls += 1;
  }
  ask(payload: AskPayload, reply: Reply): void {
    this.asks.push({ payload, reply });
  }
  cancel(messageId: string): void {
    this.cancels.push(messageId);
  }
  feedback(payload: FeedbackPayload): Promise<boolean> {
    this.feedbacks.push(payload);
    return Promise.resolve(this.feedbackAccepted);
  }
  lastAsk() {
    const ask = this.asks.at(-1);
    if (!ask) throw new Error('nothing was asked');
    return ask;
  }
}

function setUp(saved?: SavedConversation) {
  const saves: SavedConversation[] = [];
  const settled: Turn[] = [];
  const conversation = new Conversation(saved, (state) => saves.push(structuredClone(state)), {
    changed: () => undefined,
    settled: (turn) => settled.push({ ...turn }),
  });
  const connection = new FakeConnection();
  conversation.attach(connection);
  const goOnline = (recovered = false) => {
    connection.online = true;
    conversation.online(recovered);
  };
  const goOffline = () => {
    connection.online = false;
    conversation.offline();
  };
  return { conversation, connection, saves, settled, goOnline, goOffline };
}

const accepted = (messageId: string, conversationId = 'c1') =>
  ({ ok: true, conversationId, messageId }) as const;

describe('Conversation', () => {
  it('streams an answer: ack, tokens, sources, done', () => {
    const { conversation, connection, settled, goOnline } = setUp();
    goOnline();
    conversation.ask('How do I deploy?');
    expect(connection.lastAsk().payload).toEqual({
      conversationId: undefined,
      text: 'How do I deploy?',
    });
    connection.lastAsk().reply(accepted('m1'));
    conversation.token({ messageId: 'm1', text: 'Run ' });
    conversation.token({ messageId: 'm1', text: 'pulumi [1].' });
    conversation.token({ messageId: 'other', text: 'ignored' });
    const sources = [{ url: 'https://example.com/d', title: 'Deploy', snippet: '…' }];
    conversation.sources({ messageId: 'm1', sources });
    conversation.done({
      messageId: 'm1',
      usage: { inputTokens: 1, outputTokens: 2 },
      cancelled: false,
      outcome: 'answered',
    });
    expect(conversation.turns[0]).toMatchObject({
      state: 'done',
      answer: 'Run pulumi [1].',
      messageId: 'm1',
      sources,
    });
    expect(settled.map((turn) => turn.state)).toEqual(['done']);

    conversation.ask('And staging?');
    expect(connection.lastAsk().payload).toEqual({ conversationId: 'c1', text: 'And staging?' });
  });

  it('sends the page the visitor is on with each question, when the widget knows it', () => {
    const saves: SavedConversation[] = [];
    let page = { url: 'https://shop.example/tours/sea-caves', title: 'Sea Cave Adventure' };
    const conversation = new Conversation(
      undefined,
      (state) => saves.push(state),
      { changed: () => undefined, settled: () => undefined },
      () => page,
    );
    const connection = new FakeConnection();
    conversation.attach(connection);
    connection.online = true;
    conversation.online(false);
    conversation.ask('What does this cost?');
    expect(connection.lastAsk().payload).toEqual({
      conversationId: undefined,
      text: 'What does this cost?',
      page: { url: 'https://shop.example/tours/sea-caves', title: 'Sea Cave Adventure' },
    });
    connection.lastAsk().reply(accepted('m1'));
    conversation.done({
      messageId: 'm1',
      usage: { inputTokens: 1, outputTokens: 1 },
      cancelled: false,
      outcome: 'answered',
    });
    page = { url: 'https://shop.example/rentals', title: 'Rentals' };
    conversation.ask('And this?');
    expect(connection.lastAsk().payload).toMatchObject({
      page: { url: 'https://shop.example/rentals' },
    });
  });

  it('queues questions asked offline, connects, and sends each once when online', () => {
    const { conversation, connection, goOnline, goOffline } = setUp();
    conversation.ask('first');
    conversation.ask('second');
    expect(connection.asks).toHaveLength(0);
    expect(connection.connectCalls).toBeGreaterThan(0);

    goOnline();
    expect(connection.asks.map((ask) => ask.payload.text)).toEqual(['first']);
    // Reconnecting again before the answer does not send anything twice.
    goOnline();
    expect(connection.asks).toHaveLength(1);

    connection.lastAsk().reply(accepted('m1'));
    conversation.done({
      messageId: 'm1',
      usage: { inputTokens: 0, outputTokens: 0 },
      cancelled: false,
      outcome: 'answered',
    });
    expect(connection.asks.map((ask) => ask.payload.text)).toEqual(['first', 'second']);

    goOffline();
    goOnline();
    expect(connection.asks).toHaveLength(2);
    expect(conversation.turns.map((turn) => turn.state)).toEqual(['done', 'failed']);
  });

  it('fails answers cut by a disconnect when the session is not recovered, and a late ack changes nothing', () => {
    const { conversation, connection, settled, goOnline, goOffline } = setUp();
    goOnline();
    conversation.ask('streaming');
    connection.lastAsk().reply(accepted('m1'));
    conversation.token({ messageId: 'm1', text: 'partial' });
    goOffline();
    expect(conversation.turns[0]).toMatchObject({ state: 'streaming', answer: 'partial' });
    goOnline(false);
    expect(conversation.turns[0]).toMatchObject({
      state: 'failed',
      failure: 'connection_lost',
      answer: 'partial',
    });

    conversation.ask('unacknowledged');
    goOffline();
    connection.lastAsk().reply(accepted('m2'));
    expect(conversation.turns[1]).toMatchObject({ state: 'failed', failure: 'connection_lost' });
    goOnline();
    expect(connection.asks).toHaveLength(2);
    expect(settled.map((turn) => turn.failure)).toEqual(['connection_lost', 'connection_lost']);
  });

  it('goes on with a streaming answer when the session is recovered after a disconnect', () => {
    const { conversation, connection, settled, goOnline, goOffline } = setUp();
    goOnline();
    conversation.ask('streaming');
    connection.lastAsk().reply(accepted('m1'));
    conversation.token({ messageId: 'm1', text: 'first ' });
    goOffline();
    goOnline(true);
    conversation.token({ messageId: 'm1', text: 'second' });
    conversation.done({
      messageId: 'm1',
      usage: { inputTokens: 1, outputTokens: 2 },
      cancelled: false,
      outcome: 'answered',
    });
    expect(conversation.turns[0]).toMatchObject({ state: 'done', answer: 'first second' });
    expect(settled).toHaveLength(1);
  });

  it('retries a failed question as a new turn at the end', () => {
    const { conversation, connection, goOnline } = setUp();
    goOnline();
    conversation.ask('fails');
    connection.lastAsk().reply(accepted('m1'));
    conversation.error({ messageId: 'm1', code: 'provider_unavailable', message: 'down' });
    conversation.ask('next');
    connection.lastAsk().reply(accepted('m2'));
    conversation.done({
      messageId: 'm2',
      usage: { inputTokens: 0, outputTokens: 0 },
      cancelled: false,
      outcome: 'answered',
    });

    const [failed] = conversation.turns;
    expect(failed).toMatchObject({ state: 'failed', failure: 'provider_unavailable' });
    conversation.retry(failed as Turn);
    expect(conversation.turns.map((turn) => [turn.question, turn.state])).toEqual([
      ['next', 'done'],
      ['fails', 'sending'],
    ]);
    expect(connection.lastAsk().payload).toEqual({ conversationId: 'c1', text: 'fails' });
  });

  it('starts a new conversation transparently when the server forgot the old one', () => {
    const { conversation, connection, settled, goOnline } = setUp({
      conversationId: 'expired',
      turns: [],
    });
    goOnline();
    conversation.ask('still there?');
    expect(connection.lastAsk().payload.conversationId).toBe('expired');
    connection.lastAsk().reply({
      ok: false,
      error: { code: 'conversation_not_found', message: 'expired' },
    });
    expect(connection.lastAsk().payload).toEqual({
      conversationId: undefined,
      text: 'still there?',
    });
    connection.lastAsk().reply(accepted('m1', 'fresh'));
    expect(conversation.turns[0]?.state).toBe('streaming');
    expect(settled).toEqual([]);
  });

  it('shows a refused question as failed with the server’s code', () => {
    const { conversation, connection, goOnline } = setUp();
    goOnline();
    conversation.ask('x'.repeat(5000));
    connection.lastAsk().reply({ ok: false, error: { code: 'too_large', message: 'too long' } });
    connection.lastAsk().reply(undefined);
    expect(conversation.turns[0]).toMatchObject({ state: 'failed', failure: 'too_large' });
  });

  it('fails queued questions at once, and new ones too, when the server refused the site', () => {
    const { conversation, connection, settled } = setUp();
    conversation.ask('First?');
    conversation.ask('Second?');
    connection.refused = true;
    conversation.refused();
    conversation.ask('Third?');
    expect(connection.asks).toHaveLength(0);
    expect(settled.map((turn) => [turn.question, turn.state, turn.failure])).toEqual([
      ['First?', 'failed', 'unauthorized'],
      ['Second?', 'failed', 'unauthorized'],
      ['Third?', 'failed', 'unauthorized'],
    ]);
  });

  it('stops the streaming answer and records a cancelled end', () => {
    const { conversation, connection, goOnline } = setUp();
    goOnline();
    conversation.ask('long');
    conversation.stop();
    expect(connection.cancels).toEqual([]);
    connection.lastAsk().reply(accepted('m1'));
    conversation.stop();
    expect(connection.cancels).toEqual(['m1']);
    conversation.done({
      messageId: 'm1',
      usage: { inputTokens: 0, outputTokens: 0 },
      cancelled: true,
      outcome: 'answered',
    });
    expect(conversation.turns[0]?.state).toBe('cancelled');
  });

  it('rates an answer, then sends the comment with the same rating', async () => {
    const { conversation, connection, goOnline } = setUp();
    goOnline();
    conversation.ask('q');
    connection.lastAsk().reply(accepted('m1'));
    const turn = conversation.turns[0] as Turn;
    await expect(conversation.rate(turn, 'down')).resolves.toBe(true);
    await conversation.rate(turn, 'down', 'Wrong page');
    expect(connection.feedbacks).toEqual([
      { messageId: 'm1', rating: 'down' },
      { messageId: 'm1', rating: 'down', comment: 'Wrong page' },
    ]);
    expect(turn.rating).toBe('down');
  });

  it('forgets a rating the server did not take', async () => {
    const { conversation, connection, goOnline } = setUp();
    goOnline();
    conversation.ask('q');
    connection.lastAsk().reply(accepted('m1'));
    const turn = conversation.turns[0] as Turn;
    await conversation.rate(turn, 'up');
    connection.feedbackAccepted = false;
    await expect(conversation.rate(turn, 'down')).resolves.toBe(false);
    expect(turn.rating).toBe('up');
  });

  it('saves after each change, and restores an in-flight answer as interrupted', () => {
    const { conversation, connection, saves, goOnline } = setUp();
    goOnline();
    conversation.ask('q');
    connection.lastAsk().reply(accepted('m1'));
    conversation.token({ messageId: 'm1', text: 'half an ans' });
    conversation.persist();
    const saved = saves.at(-1) as SavedConversation;
    expect(saved).toMatchObject({
      conversationId: 'c1',
      turns: [{ state: 'streaming', answer: 'half an ans' }],
    });

    const restored = setUp(saved);
    expect(restored.conversation.turns[0]).toMatchObject({
      state: 'failed',
      failure: 'connection_lost',
      answer: 'half an ans',
    });
    restored.goOnline();
    expect(restored.connection.asks).toHaveLength(0);
  });

  it('sends questions queued on a previous page once the connection is attached and online', () => {
    const { connection, goOnline } = setUp({
      turns: [{ id: 't1', question: 'typed offline', state: 'queued', answer: '', sources: [] }],
    });
    expect(connection.connectCalls).toBe(1);
    goOnline();
    expect(connection.asks.map((ask) => ask.payload.text)).toEqual(['typed offline']);
  });
});
