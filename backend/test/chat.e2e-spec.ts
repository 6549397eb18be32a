/**
 * The started application with its offline defaults (embedded store, extractive answerer) and a real
 * socket.io-client over a WebSocket: the chat path end to end and every bad-input case.
 */
import { ChatClient, type RunningApp, startApp } from './support/app';

describe('chat over Socket.IO (offline defaults)', () => {
  let running: RunningApp;
  let client: ChatClient;

  beforeAll(async () => {
    running = await startApp({ MAX_MESSAGE_CHARS: '200' });
  });
  afterAll(async () => {
    await running.stop();
  });
  beforeEach(async () => {
    client = await ChatClient.connect(running.url);
  });
  afterEach(() => client.close());

  it('answers a question: ack, streamed tokens, sources, done', async () => {
    const answer = await client.askAndWait({ text: 'How do I deploy to production?' });
    expect(answer.accepted.conversationId).toEqual(expect.any(String));
    expect(answer.tokens.length).toBeGreaterThan(5);
    expect(answer.text).toContain('pulumi up -s prod');
    expect(answer.text).toMatch(/\[1\]/);
    expect(answer.text).toMatch(/offline answer/i);
    expect(answer.sources?.[0]).toEqual({
      url: 'http://lorechat.test/docs/deployment.md#deploy-to-production',
      title: 'Deployment › Deploy to production',
      snippet: expect.stringContaining('To deploy to production'),
    });
    expect(answer.done).toMatchObject({
      cancelled: false,
      usage: { outputTokens: expect.any(Number) },
    });
    expect(answer.error).toBeUndefined();
  });

  it('continues a conversation by its id', async () => {
    const first = await client.askAndWait({ text: 'How do I deploy to production?' });
    const { conversationId } = first.accepted;
    const second = await client.askAndWait({
      conversationId,
      text: 'Where do I paste the script tag?',
    });
    expect(second.accepted.conversationId).toBe(conversationId);
    expect(second.sources?.[0]?.url).toBe(
      'http://lorechat.test/docs/widget.md#add-the-widget-to-your-site',
    );
  });

  it('says so when nothing indexed matches, citing nothing, with the not_found outcome', async () => {
    const answer = await client.askAndWait({ text: 'zebra quantum marmalade' });
    expect(answer.text).toMatch(/^I couldn't find that on this site/);
    expect(answer.sources).toEqual([]);
    expect(answer.done).toMatchObject({ cancelled: false, outcome: 'not_found' });
  });

  it('says so when the passages found are about something else, in the question language', async () => {
    // "production" matches the deployment page; "scuba" is on no page.
    const answer = await client.askAndWait({ text: 'Is there a scuba course in production?' });
    expect(answer.done?.outcome).toBe('not_found');
    expect(answer.sources).toEqual([]);
    expect(answer.text).not.toContain('pulumi');
    const french = await client.askAndWait({ text: 'Quel est le prix du cours de plongée ?' });
    expect(french.text).toMatch(/^Je n'ai pas trouvé cela sur ce site/);
  });

  it('reports an answered question as answered', async () => {
    const answer = await client.askAndWait({ text: 'How do I deploy to production?' });
    expect(answer.done).toMatchObject({ cancelled: false, outcome: 'answered' });
    expect(answer.text).toContain('pulumi up -s prod');
  });

  describe('bad input gets a clear error and leaves the connection usable', () => {
    afterEach(async () => {
      const answer = await client.askAndWait({ text: 'How do I deploy to production?' });
      expect(answer.done).toBeDefined();
    });

    it.each([
      ['a string instead of an object', 'hello', /Invalid ask payload/],
      ['no text', { conversationId: 'x' }, /text/],
      ['text of the wrong type', { text: 42 }, /text/],
      ['a conversationId of the wrong type', { text: 'hi', conversationId: 7 }, /conversationId/],
      ['empty text', { text: '   ' }, /empty/],
    ])('%s → bad_request, in the ack and as an error event', async (_case, payload, message) => {
      const errorEvent = client.nextError();
      const response = await client.ask(payload);
      expect(response).toEqual({
        ok: false,
        error: { code: 'bad_request', message: expect.stringMatching(message) },
      });
      expect(await errorEvent).toEqual({
        code: 'bad_request',
        message: expect.stringMatching(message),
      });
    });

    it('a question over MAX_MESSAGE_CHARS → too_large', async () => {
      const response = await client.ask({ text: 'x'.repeat(201) });
      expect(response).toEqual({
        ok: false,
        error: {
          code: 'too_large',
          message: 'The question is 201 characters long; the limit is 200.',
        },
      });
    });

    it('an unknown conversationId → conversation_not_found', async () => {
      const response = await client.ask({ conversationId: 'no-such-conversation', text: 'hello' });
      expect(response).toMatchObject({ ok: false, error: { code: 'conversation_not_found' } });
    });

    it('an unknown event → bad_request naming the known ones', async () => {
      const errorEvent = client.nextError();
      client.socket.emit('shout' as 'cancel', { messageId: 'x' });
      expect(await errorEvent).toEqual({
        code: 'bad_request',
        message: 'Unknown event "shout". Known events: ask, feedback, cancel, handoff.',
      });
    });

    it('an unknown event sent with an ack callback gets the error in the ack too', async () => {
      const response: unknown = await client.socket
        .timeout(5000)
        .emitWithAck('shout' as 'feedback', { messageId: 'x', rating: 'up' });
      expect(response).toMatchObject({
        ok: false,
        error: { code: 'bad_request', message: /shout/ },
      });
    });

    it('an ask without an ack callback still gets the error event', async () => {
      const errorEvent = client.nextError();
      client.socket.emit('ask', { text: '' });
      expect(await errorEvent).toMatchObject({ code: 'bad_request' });
    });

    it('a malformed cancel → bad_request', async () => {
      const errorEvent = client.nextError();
      client.socket.emit('cancel', { messageId: 12 } as never);
      expect(await errorEvent).toMatchObject({ code: 'bad_request', message: /messageId/ });
    });
  });

  it('a payload far beyond any question is refused by the transport; the server carries on', async () => {
    const disconnected = new Promise<string>((resolve) =>
      client.socket.once('disconnect', resolve),
    );
    client.socket.emit('ask', { text: 'x'.repeat(2_000_000) });
    expect(await disconnected).toBe('transport close');
    const fresh = await ChatClient.connect(running.url);
    expect((await fresh.askAndWait({ text: 'How do I deploy to production?' })).done).toBeDefined();
    fresh.close();
  });

  describe('feedback', () => {
    it('is accepted for an answer of this conversation', async () => {
      const answer = await client.askAndWait({ text: 'How do I deploy to production?' });
      const response = await client.socket.timeout(5000).emitWithAck('feedback', {
        messageId: answer.accepted.messageId,
        rating: 'up',
        comment: 'clear',
      });
      expect(response).toEqual({ ok: true });
    });

    it('is refused for an unknown answer or a bad rating', async () => {
      const unknown = await client.socket
        .timeout(5000)
        .emitWithAck('feedback', { messageId: 'nope', rating: 'down' });
      expect(unknown).toMatchObject({
        ok: false,
        error: { code: 'conversation_not_found', message: /no conversation of yours/ },
      });
      const badRating = await client.socket
        .timeout(5000)
        .emitWithAck('feedback', { messageId: 'nope', rating: 'meh' as 'up' });
      expect(badRating).toMatchObject({
        ok: false,
        error: { code: 'bad_request', message: /rating/ },
      });
    });
  });
});
