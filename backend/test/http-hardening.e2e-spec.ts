/**
 * What the server sends besides its content, against the started application over real HTTP:
 * security headers on every kind of page it serves, and the answer and the log line when a request
 * body is refused.
 */
import { createHash } from 'node:crypto';
import { startApp, type RunningApp } from './support/app';
import { LogCapture } from './support/logs';

describe('HTTP hardening', () => {
  let running: RunningApp;
  const logs = new LogCapture();

  beforeAll(async () => {
    running = await startApp({ LOG_LEVEL: 'log' }, { logDestination: logs });
  });
  afterAll(async () => {
    await running.stop();
  });

  // Regression (issue 19, finding 6): `/` was sent without CSP, nosniff, Referrer-Policy or any
  // framing protection.
  it.each(['/', '/docs/deployment.md', '/widget.js', '/health', '/no-such-page'])(
    'sends the security headers with %s',
    async (path) => {
      const response = await fetch(`${running.url}${path}`);
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("object-src 'none'");
      expect(csp).not.toContain('upgrade-insecure-requests');
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
    },
  );

  it("allows the demo page's own inline stylesheet, by its hash, and no other inline code", async () => {
    const response = await fetch(running.url);
    const html = await response.text();
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    const hash = createHash('sha256').update(style).digest('base64');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`style-src 'self' 'sha256-${hash}'`);
    expect(csp).not.toContain('unsafe-inline');
    expect(html).not.toMatch(/<script>|\son\w+=/);
  });

  // Regression (issue 19, finding 6): an oversized body was logged as an error, with a stack.
  it('refuses an oversized body with too_large and one warning line without a stack', async () => {
    const before = logs.lines().length;
    const response = await fetch(`${running.url}/v1/visitor-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ siteKey: 'x'.repeat(200_000) }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({
      error: { code: 'too_large', message: 'The request body is larger than 102400 bytes.' },
    });
    await logs.lineWhere((line) => line.msg === 'request completed' && line.res !== undefined);
    const lines = logs.lines().slice(before);
    const refusals = lines.filter((line) => String(line.msg).includes('request body refused'));
    expect(refusals).toEqual([
      expect.objectContaining({
        level: 'WARN',
        msg: 'POST /v1/visitor-token: request body refused, entity.too.large (200014 bytes)',
      }),
    ]);
    expect(lines.filter((line) => line.level === 'ERROR')).toEqual([]);
    expect(JSON.stringify(lines)).not.toContain('stack');
  });

  it('refuses a body that is not JSON with 400, without an error line', async () => {
    const before = logs.lines().length;
    const response = await fetch(`${running.url}/v1/visitor-token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"siteKey": ',
    });
    expect(response.status).toBe(400);
    const lines = logs.lines().slice(before);
    expect(lines.filter((line) => line.level === 'ERROR')).toEqual([]);
  });
});
