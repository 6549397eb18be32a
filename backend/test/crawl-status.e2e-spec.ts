/**
 * The console's crawl view as in AWS: `lorechat ingest` runs with a data folder of its own (the
 * ingest job's task) and the server with another, sharing only the PostgreSQL conversation log
 * (Debian's real server, see support/postgres.ts). The crawled site is a local HTTP server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type CrawlStatus } from '../src/admin/crawl-status';
import { ingest } from '../src/cli';
import { admin, E2E_ADMIN_TOKEN } from './support/admin';
import { startApp } from './support/app';
import { freshDatabase } from './support/postgres';

const PAGES: Record<string, string> = {
  '/': '<html><head><title>Home</title></head><body><main><h1>Home</h1><p>Welcome to the shop, open every day.</p><a href="/gone">Gone</a></main></body></html>',
};

function sink(): NodeJS.WriteStream {
  return new Writable({ write: (_chunk, _encoding, done) => done() }) as NodeJS.WriteStream;
}

describe('crawl status in the console (ingest and server apart, sharing PostgreSQL)', () => {
  let site: Server;
  const dirs: string[] = [];

  beforeAll(async () => {
    site = createServer((request, response) => {
      const page = PAGES[request.url ?? ''];
      response.writeHead(page ? 200 : 404, { 'content-type': 'text/html' });
      response.end(page ?? 'not found');
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  });

  afterAll(async () => {
    await new Promise((resolve) => site.close(resolve));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the crawl the ingest task saved, and the next scheduled run', async () => {
    const database = await freshDatabase();
    const ingestDir = mkdtempSync(join(tmpdir(), 'lorechat-ingest-task-'));
    dirs.push(ingestDir);
    const url = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
    const code = await ingest(
      ['--site', url, '--allow-private-network', '--delay-ms', '0', '--json'],
      { LORECHAT_DATA_DIR: ingestDir, DATABASE_URL: database.url, LOG_LEVEL: 'error' },
      { stdout: sink(), stderr: sink() },
    );
    expect(code).toBe(2); // /gone is a 404: a failed page
    const running = await startApp({
      DATABASE_URL: database.url,
      ADMIN_TOKEN: E2E_ADMIN_TOKEN,
      INGEST_SCHEDULE: 'cron(0 3 * * ? *)',
    });
    try {
      const { status, body } = await admin(running.url).get<CrawlStatus>('/crawl');
      expect(status).toBe(200);
      expect(body.report?.sites).toEqual([url]);
      expect(body.report?.totals).toMatchObject({ indexed: 1, skipped: 1 });
      expect(body.report?.failures).toEqual([
        expect.objectContaining({ url: `${url}gone`, reason: 'http status' }),
      ]);
      expect(body.schedule).toBe('cron(0 3 * * ? *)');
      expect(body.nextRunAt).toMatch(/T03:00:00\.000Z$/);
      expect(Date.parse(body.nextRunAt ?? '')).toBeGreaterThan(Date.now());
    } finally {
      await running.stop();
      await database.drop();
    }
  });
});
