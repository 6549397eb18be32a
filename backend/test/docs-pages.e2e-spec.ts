/**
 * The bundled docs as the visitor meets them: citations built under PUBLIC_URL when served, each
 * landing on an anchor the rendered doc page really has, over real HTTP and Socket.IO.
 */
import { createHash } from 'node:crypto';
import { ChatClient, type RunningApp, startApp } from './support/app';

describe('bundled docs served as pages that citations land on', () => {
  let running: RunningApp;

  beforeAll(async () => {
    running = await startApp({ PUBLIC_URL: 'https://chat.example.com' });
  });
  afterAll(async () => {
    await running.stop();
  });

  it('cites under PUBLIC_URL, at an anchor the rendered page has', async () => {
    const client = await ChatClient.connect(running.url);
    const answer = await client.askAndWait({ text: 'How do I deploy to production?' });
    client.close();
    const cited = new URL(answer.sources?.[0]?.url ?? '');
    expect(cited.origin).toBe('https://chat.example.com');
    expect(cited.pathname).toBe('/docs/deployment.md');
    expect(cited.hash).toBe('#deploy-to-production');

    const page = await fetch(`${running.url}${cited.pathname}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    // No inline script; the page's own stylesheet allowed by its hash.
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    const html = await page.text();
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    expect(csp).toContain(`'sha256-${createHash('sha256').update(style).digest('base64')}'`);
    expect(html).toContain('<h2 id="deploy-to-production">Deploy to production</h2>');
    expect(html).toContain('<title>Deployment · LoreChat docs</title>');
    expect(html).toMatch(/<pre><code class="language-bash">pulumi up -s prod\n<\/code><\/pre>/);
  });

  it('never serves outside the docs folder', async () => {
    for (const path of [
      '/docs/..%2f..%2fpackage.json.md',
      '/docs/%2e%2e/README.md',
      '/docs/missing.md',
    ]) {
      expect((await fetch(`${running.url}${path}`)).status).toBe(404);
    }
  });
});
