/**
 * Socket.IO connection-state recovery on one task without Redis: a real socket.io-client whose
 * connection drops mid-answer reconnects and gets the tokens it missed. The model is a local
 * server speaking OpenAI's streaming wire protocol.
 */
import { type FakeOpenAi, startFakeOpenAi } from './fakes/openai-server';
import { ChatClient, nextEvent, type RunningApp, startApp, fakeOpenAiEnv } from './support/app';

const tokens = Array.from({ length: 25 }, (_, index) => `w${index} `);

describe('a brief disconnect mid-answer', () => {
  let openAi: FakeOpenAi;
  const running: RunningApp[] = [];

  const start = async (env: NodeJS.ProcessEnv = {}) => {
    const app = await startApp({
      ...fakeOpenAiEnv(openAi, 'sk-test-recovery'),
      RESPONSE_CACHE_ENABLED: 'false',
      ...env,
    });
    running.push(app);
    return app;
  };

  /** Asks, lets a few tokens arrive, then drops the connection as a network blink would. */
  const askAndBlink = async (client: ChatClient) => {
    openAi.setScript({ kind: 'stream', tokens, tokenDelayMs: 30 });
    const accepted = await client.ask({ text: 'How do I deploy to production?' });
    if (!accepted.ok) throw new Error(accepted.error.message);
    for (let i = 0; i < 3; i++) await nextEvent(client.socket, 'token');
    client.socket.io.engine.close();
    await nextEvent(client.socket, 'connect');
    return accepted.messageId;
  };

  beforeAll(async () => {
    openAi = await startFakeOpenAi();
  });
  afterAll(async () => {
    for (const app of running) await app.stop();
    await openAi.close();
  });

  it('loses no token and repeats none: the session is recovered', async () => {
    const app = await start();
    const client = await ChatClient.connect(app.url, { reconnection: true });
    const messageId = await askAndBlink(client);
    expect(client.socket.recovered).toBe(true);
    const answer = await client.answerOf(messageId);
    client.close();
    expect(answer.tokens).toEqual(tokens);
    expect(answer.done?.cancelled).toBe(false);
  });

  it('stops the answer at once when recovery is off (CONNECTION_RECOVERY_SECONDS=0)', async () => {
    const app = await start({ CONNECTION_RECOVERY_SECONDS: '0' });
    const client = await ChatClient.connect(app.url, { reconnection: true });
    const aborted = openAi.abortedRequests;
    const messageId = await askAndBlink(client);
    expect(client.socket.recovered).toBeFalsy();
    // The provider request is aborted, and the new session never hears of the old answer.
    await openAi.waitForAbort(aborted + 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const nothing = new Promise((resolve) => setTimeout(() => resolve('nothing'), 10));
    expect(await Promise.race([client.answerOf(messageId), nothing])).toBe('nothing');
    client.close();
  });
});
