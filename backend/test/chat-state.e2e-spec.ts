/**
 * Conversation state belongs to the visitor who made it, and only admitted questions make any:
 * the started application, real socket.io-clients holding real visitor tokens, and a local server
 * speaking OpenAI's streaming wire protocol that records what the model would have been sent.
 */
import { type AckResponse, type AskAccepted } from '@lorechat/contracts';
import { type FakeOpenAi, startFakeOpenAi } from './fakes/openai-server';
import { ChatClient, DEMO_ORIGIN, startApp, visitorToken } from './support/app';

/** Two sites that allow the same page origin: one visitor token each, the same browser. */
const TWO_SITES = `demo=${DEMO_ORIGIN};shop=${DEMO_ORIGIN}`;

/** Waits out the end of a minute, so per-minute counters cannot roll over mid-test. */
async function awayFromMinuteBoundary(): Promise<void> {
  const leftMs = 60_000 - (Date.now() % 60_000);
  if (leftMs < 8000) await new Promise((resolve) => setTimeout(resolve, leftMs + 50));
}

function accepted(response: AckResponse<AskAccepted>): AskAccepted {
  if (!response.ok) throw new Error(`refused: ${response.error.code}: ${response.error.message}`);
  return response;
}

describe('conversation state', () => {
  let openAi: FakeOpenAi;
  beforeAll(async () => {
    openAi = await startFakeOpenAi({ kind: 'stream', tokens: ['Use ', 'Pulumi.'] });
  });
  afterAll(() => openAi.close());

  async function withApp(
    env: NodeJS.ProcessEnv,
    test: (url: string) => Promise<void>,
  ): Promise<void> {
    const running = await startApp({
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: openAi.baseUrl,
      LLM_MAX_RETRIES: '0',
      RESPONSE_CACHE_ENABLED: 'false',
      ...env,
    });
    try {
      await test(running.url);
    } finally {
      await running.stop();
    }
  }

  /** What the model was last sent before the question itself: the conversation's history. */
  const historySent = () => (openAi.requests.at(-1)?.body.messages ?? []).slice(1, -1);

  it("refused questions create no conversation, so they evict no one else's", async () => {
    await awayFromMinuteBoundary();
    await withApp(
      // Room for four conversations; each visitor may ask two questions a minute.
      { QUOTA_QUESTIONS_PER_MINUTE: '2', CONVERSATION_MAX_COUNT: '4' },
      async (url) => {
        const victim = await ChatClient.connect(url);
        const theirs = await victim.askAndWait({ text: 'How do I deploy?' });
        const attacker = await ChatClient.connect(url);
        for (const text of ['First question', 'Second question']) {
          await attacker.askAndWait({ text });
        }
        const refusals = await Promise.all(
          Array.from({ length: 30 }, (_, n) => attacker.ask({ text: `Question ${n}` })),
        );
        expect(refusals.filter((response) => response.ok)).toEqual([]);

        await victim.askAndWait({
          conversationId: theirs.accepted.conversationId,
          text: 'And to production?',
        });
        expect(historySent()).toEqual([
          { role: 'user', content: 'How do I deploy?' },
          { role: 'assistant', content: 'Use Pulumi.' },
        ]);
        victim.close();
        attacker.close();
      },
    );
  });

  it("keeps a visitor's conversations to CONVERSATION_MAX_PER_VISITOR, never crowding out others", async () => {
    await withApp(
      { CONVERSATION_MAX_COUNT: '5', CONVERSATION_MAX_PER_VISITOR: '2' },
      async (url) => {
        const victim = await ChatClient.connect(url);
        const theirs = await victim.askAndWait({ text: 'How do I deploy?' });
        const busy = await ChatClient.connect(url);
        const started: string[] = [];
        for (let n = 0; n < 8; n++) {
          started.push((await busy.askAndWait({ text: `Question ${n}` })).accepted.conversationId);
        }

        await victim.askAndWait({
          conversationId: theirs.accepted.conversationId,
          text: 'And to production?',
        });
        expect(historySent()).toEqual([
          { role: 'user', content: 'How do I deploy?' },
          { role: 'assistant', content: 'Use Pulumi.' },
        ]);
        // The busy visitor keeps their latest two; their oldest are forgotten.
        expect(await busy.ask({ conversationId: started[0], text: 'More?' })).toMatchObject({
          ok: false,
          error: { code: 'conversation_not_found' },
        });
        expect(
          (await busy.askAndWait({ conversationId: started[7], text: 'More?' })).done,
        ).toBeDefined();
        victim.close();
        busy.close();
      },
    );
  });
});

describe('conversations and answers bound to their visitor', () => {
  let openAi: FakeOpenAi;
  beforeAll(async () => {
    openAi = await startFakeOpenAi({ kind: 'stream', tokens: ['Use ', 'Pulumi.'] });
  });
  afterAll(() => openAi.close());

  async function withApp(
    env: NodeJS.ProcessEnv,
    test: (url: string) => Promise<void>,
  ): Promise<void> {
    const running = await startApp({
      LLM_PROVIDER: 'openai',
      LLM_BASE_URL: openAi.baseUrl,
      LLM_MAX_RETRIES: '0',
      RESPONSE_CACHE_ENABLED: 'false',
      SITES: TWO_SITES,
      ...env,
    });
    try {
      await test(running.url);
    } finally {
      await running.stop();
    }
  }

  const SECRET = 'My account number is 4242-0000.';

  it('refuses another visitor, of this site or another, as conversation_not_found', async () => {
    await withApp({}, async (url) => {
      const owner = await ChatClient.connect(url);
      const first = await owner.askAndWait({ text: SECRET });
      const strangers = [
        await ChatClient.connect(url),
        await ChatClient.connect(url, { token: await visitorToken(url, 'shop') }),
      ];
      for (const stranger of strangers) {
        const requests = openAi.requests.length;
        const response = await stranger.ask({
          conversationId: first.accepted.conversationId,
          text: 'What did I say before?',
        });
        expect(response).toEqual({
          ok: false,
          error: { code: 'conversation_not_found', message: expect.stringMatching(/unknown/) },
        });
        // Nothing reached the model, so nothing of the owner's history did either.
        expect(openAi.requests.length).toBe(requests);
        // As the widget does, the stranger starts a conversation of their own: it holds nothing.
        await stranger.askAndWait({ text: 'What did I say before?' });
        const since = openAi.requests.slice(requests).map(({ body }) => body.messages);
        expect(JSON.stringify(since)).not.toContain(SECRET);
      }

      const continued = await owner.askAndWait({
        conversationId: first.accepted.conversationId,
        text: 'And then?',
      });
      expect(continued.done).toBeDefined();
      // The owner's own history still reaches the model: their question and the answer it got.
      expect(historySentTo(openAi)).toEqual([
        { role: 'user', content: SECRET },
        { role: 'assistant', content: first.text },
      ]);
      for (const client of [owner, ...strangers]) client.close();
    });
  });

  it("refuses a rating of someone else's answer as conversation_not_found", async () => {
    await withApp({}, async (url) => {
      const owner = await ChatClient.connect(url);
      const { accepted: answer } = await owner.askAndWait({ text: 'How do I deploy?' });
      const rate = (client: ChatClient, messageId: string) =>
        client.socket.timeout(5000).emitWithAck('feedback', { messageId, rating: 'down' });
      for (const stranger of [
        await ChatClient.connect(url),
        await ChatClient.connect(url, { token: await visitorToken(url, 'shop') }),
      ]) {
        expect(await rate(stranger, answer.messageId)).toEqual({
          ok: false,
          error: { code: 'conversation_not_found', message: expect.any(String) },
        });
        // An id that was never an answer is refused the same way: ids reveal nothing.
        expect(await rate(stranger, 'no-such-answer')).toEqual(
          await rate(stranger, answer.messageId),
        );
        stranger.close();
      }
      expect(await rate(owner, answer.messageId)).toEqual({ ok: true });
      owner.close();
    });
  });

  it('limits ratings per minute like questions, on counters of their own', async () => {
    await awayFromMinuteBoundary();
    await withApp({ QUOTA_QUESTIONS_PER_MINUTE: '3' }, async (url) => {
      const visitor = await ChatClient.connect(url);
      const { accepted: answer } = await visitor.askAndWait({ text: 'How do I deploy?' });
      const rate = () =>
        visitor.socket
          .timeout(5000)
          .emitWithAck('feedback', { messageId: answer.messageId, rating: 'up' });
      for (let n = 0; n < 3; n++) expect(await rate()).toEqual({ ok: true });
      expect(await rate()).toEqual({
        ok: false,
        error: {
          code: 'rate_limited',
          message: expect.stringMatching(
            /^Too many ratings in a minute\. Try again in \d+ seconds\.$/,
          ),
          retryAfterSeconds: expect.any(Number),
        },
      });
      // Ratings took nothing from the visitor's questions: the 2nd and 3rd of the minute pass.
      for (let n = 0; n < 2; n++) {
        accepted(await visitor.ask({ text: `Question ${n}` }));
      }
      visitor.close();
    });
  });
});

function historySentTo(openAi: FakeOpenAi) {
  return (openAi.requests.at(-1)?.body.messages ?? []).slice(1, -1);
}
