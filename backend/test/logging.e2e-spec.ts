/** What the started application logs: JSON lines, request ids, and no visitor content by default. */
import { ChatClient, FIXTURE_DOCS, type RunningApp, startApp, visitorToken } from './support/app';
import { LogCapture } from './support/logs';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const QUESTION = 'How do I deploy to production, marmalade-zeppelin?';
const COMMENT = 'Too vague about the quokka-harbour step.';

/**
 * A whole visit over Socket.IO, through a proxy that sets X-Request-Id: a question, its answer, a
 * rated comment, goodbye.
 */
async function visit(url: string, token: string): Promise<{ messageId: string }> {
  const client = await ChatClient.connect(url, {
    token,
    extraHeaders: { 'X-Request-Id': 'edge-socket-1' },
  });
  const answer = await client.askAndWait({ text: QUESTION });
  expect(answer.done).toBeDefined();
  const { messageId } = answer.accepted;
  const feedback = await client.socket
    .timeout(5000)
    .emitWithAck('feedback', { messageId, rating: 'down', comment: COMMENT });
  expect(feedback).toEqual({ ok: true });
  client.close();
  return { messageId };
}

describe('logs', () => {
  const capture = new LogCapture();
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp({ LOG_LEVEL: 'debug' }, { logDestination: capture });
  });
  afterAll(async () => {
    await running.stop();
  });

  it('are JSON lines with a level, a time, a message and a context', async () => {
    await fetch(running.url);
    await capture.lineWhere((line) => line.context === 'HTTP');
    const lines = capture.lines();
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) {
      expect(line).toMatchObject({
        level: expect.stringMatching(/^(FATAL|ERROR|WARN|INFO|DEBUG|TRACE)$/),
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        msg: expect.any(String),
        context: expect.any(String),
      });
    }
    expect(lines).toContainEqual(
      expect.objectContaining({
        context: 'DocsSeeder',
        msg: `indexed 2 pages from ${FIXTURE_DOCS}`,
      }),
    );
  });

  it('give each HTTP request an id, sent back and on its line', async () => {
    const response = await fetch(`${running.url}/docs/deployment.md?token=secret-in-query`);
    const requestId = response.headers.get('x-request-id') ?? '';
    expect(requestId).toMatch(UUID);
    const line = await capture.lineWhere((entry) => entry.requestId === requestId);
    expect(line).toEqual({
      level: 'INFO',
      time: expect.any(String),
      context: 'HTTP',
      msg: 'request completed',
      requestId,
      req: { method: 'GET', url: '/docs/deployment.md' },
      res: { statusCode: 200 },
      durationMs: expect.any(Number),
    });
  });

  it('keep a sane X-Request-Id from the caller and replace any other', async () => {
    const sane = await fetch(running.url, { headers: { 'X-Request-Id': 'edge-42.a_b' } });
    expect(sane.headers.get('x-request-id')).toBe('edge-42.a_b');
    await capture.lineWhere((line) => line.requestId === 'edge-42.a_b');
    for (const insane of ['a'.repeat(65), 'id with spaces', '{"level":"FATAL"}']) {
      const response = await fetch(running.url, { headers: { 'X-Request-Id': insane } });
      expect(response.headers.get('x-request-id')).toMatch(UUID);
    }
    expect(capture.text()).not.toContain('id with spaces');
  });

  it('follow one answer by its ids, without the visitor’s words, IP or token', async () => {
    const token = await visitorToken(running.url);
    const { messageId } = await visit(running.url, token);
    const opened = await capture.lineWhere((line) => line.msg === 'connection opened');
    const { connectionId } = opened;
    expect(opened).toMatchObject({
      level: 'DEBUG',
      context: 'ChatGateway',
      siteKey: 'demo',
      requestId: 'edge-socket-1',
    });
    const finished = await capture.lineWhere((line) => line.msg === 'answer finished');
    expect(finished).toMatchObject({
      level: 'INFO',
      context: 'ChatService',
      connectionId,
      messageId,
      conversationId: expect.any(String),
      provider: 'extractive',
      inputTokens: expect.any(Number),
      outputTokens: expect.any(Number),
      durationMs: expect.any(Number),
      cancelled: false,
    });
    expect(await capture.lineWhere((line) => line.msg === 'feedback')).toMatchObject({
      messageId,
      conversationId: finished.conversationId,
      rating: 'down',
    });
    await capture.lineWhere((line) => line.msg === 'connection closed');

    const logs = capture.text();
    expect(logs).not.toContain('marmalade');
    expect(logs).not.toContain('quokka');
    expect(logs).not.toContain('127.0.0.1');
    expect(logs).not.toContain(token);
    expect(logs).not.toContain('secret-in-query');
  });
});

describe('logs with LOG_CONTENT=true', () => {
  const capture = new LogCapture();
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp(
      { LOG_LEVEL: 'log', LOG_CONTENT: 'true' },
      { logDestination: capture },
    );
  });
  afterAll(async () => {
    await running.stop();
  });

  it('hold the question, the comment and the client IP, never the token', async () => {
    const token = await visitorToken(running.url);
    await visit(running.url, token);
    expect(await capture.lineWhere((line) => line.msg === 'answer finished')).toMatchObject({
      question: QUESTION,
      ip: '127.0.0.1',
    });
    expect(await capture.lineWhere((line) => line.msg === 'feedback')).toMatchObject({
      comment: COMMENT,
    });
    expect(await capture.lineWhere((line) => line.context === 'HTTP')).toMatchObject({
      req: { ip: '127.0.0.1' },
    });
    expect(capture.text()).not.toContain(token);
  });
});
