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
        state: { status: 'ok', store: 'memory' },
      },
    });
  });

  it('GET / serves the demo page, which loads the widget with its one-line snippet', async () => {
    const response = await fetch(running.url);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toMatch(/<script src="\/widget\.js" data-site-key="demo" [^>]*async><\/script>/);
    // How /widget.js itself is served is tested with the widget (widget/test/), which builds it.
  });

  it('serves the cited doc pages as rendered pages with their heading anchors', async () => {
    const response = await fetch(`${running.url}/docs/deployment.md`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await response.text()).toContain(
      '<h2 id="deploy-to-production">Deploy to production</h2>',
    );
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
    ['How do I deploy to production?', /docs\/deploy(ment)?\.md#/, /pulumi [\s\S]*-s prod/],
    ['How do I add the widget to my site?', /docs\/widget\.md#/, /<script/],
    ['How do I use Ollama with LoreChat?', /docs\/(providers|quick-start)\.md#/, /Ollama/],
  ])('answers "%s" from the right page, with citations', async (question, page, content) => {
    const client = await ChatClient.connect(running.url);
    const answer = await client.askAndWait({ text: question });
    client.close();
    expect(answer.sources?.[0]?.url).toMatch(page);
    expect(answer.text).toMatch(content);
    expect(answer.text).toMatch(/\[\d\]/);
    expect(answer.done).toBeDefined();
  });
});
