/** The HTTP side of the started application: health, the demo page, the cited docs, and the bundled docs. */
import { join } from 'node:path';
import { ChatClient, type RunningApp, startApp } from './support/app';

describe('HTTP endpoints', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp();
  });
  afterAll(async () => {
    await running.stop();
  });

  it('GET /health reports each dependency', async () => {
    const response = await fetch(`${running.url}/health`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: 'ok',
      uptimeSeconds: expect.any(Number),
      dependencies: {
        index: { status: 'ok', documents: 2, chunks: expect.any(Number) },
        llm: { status: 'ok', provider: 'extractive', model: 'extractive' },
      },
    });
  });

  it('GET / serves the demo page that chats over Socket.IO', async () => {
    const response = await fetch(running.url);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toContain('<script src="/socket.io/socket.io.min.js"></script>');
    expect((await fetch(`${running.url}/socket.io/socket.io.min.js`)).status).toBe(200);
  });

  it('serves the cited doc pages as text', async () => {
    const response = await fetch(`${running.url}/docs/deployment.md`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(await response.text()).toContain('## Deploy to production');
  });
});

describe('a fresh install on the bundled docs', () => {
  let running: RunningApp;
  beforeAll(async () => {
    running = await startApp({ LORECHAT_DOCS_DIR: join(__dirname, '..', '..', 'docs') });
  });
  afterAll(async () => {
    await running.stop();
  });

  it.each([
    ['How do I deploy to production?', /deployment\.md/],
    ['How do I add the widget to my site?', /widget\.md/],
    ['How do I use Ollama?', /(quick-start|providers|configuration)\.md/],
  ])('answers "%s" with citations', async (question, page) => {
    const client = await ChatClient.connect(running.url);
    const answer = await client.askAndWait({ text: question });
    client.close();
    expect(answer.text).toMatch(/\[1\]/);
    expect(answer.sources?.[0]?.url).toMatch(page);
    expect(answer.done).toBeDefined();
  });
});
