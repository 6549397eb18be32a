/**
 * `lorechat backup` and `lorechat restore` of the Qdrant store, end to end, against local HTTP
 * servers that follow Qdrant's REST API, snapshot endpoints included (test/fakes/qdrant-server.ts;
 * no Qdrant can run here, and its snapshot files are the fake's own format, opaque to LoreChat as
 * real ones are). What a real Qdrant does with a snapshot can only be checked against one.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CrawlManifest, manifestFile } from '../src/ingest/crawler/crawl-manifest';
import { type FakeQdrant, startFakeQdrant } from './fakes/qdrant-server';
import { encodeSnapshot } from './fakes/qdrant-snapshot-files';
import { type Answer, ChatClient, type RunningApp, startApp } from './support/app';
import { runBackupCommand } from './support/backup';

const SITE = join(__dirname, 'fixtures', 'site');
const DOCS = join(__dirname, 'fixtures', 'docs');

const QUESTIONS = [
  'how long until a refund is paid',
  'Which languages has the chat been translated to?',
  'How is visitor data protected?',
];

async function answersOf(running: RunningApp): Promise<Pick<Answer, 'text' | 'sources'>[]> {
  const client = await ChatClient.connect(running.url);
  try {
    const answers = [];
    for (const text of QUESTIONS) {
      const { text: answer, sources, error } = await client.askAndWait({ text });
      expect(error).toBeUndefined();
      answers.push({ text: answer, sources });
    }
    return answers;
  } finally {
    client.close();
  }
}

/** Every collection of the fake with all its points, as text to compare. */
function contentsOf(server: FakeQdrant): Record<string, string> {
  return Object.fromEntries(
    [...server.storage.collections].map(([name, collection]) => [
      name,
      encodeSnapshot(collection, [...Array(collection.layout.shardNumber).keys()]).toString(),
    ]),
  );
}

describe('lorechat backup and restore (Qdrant store)', () => {
  let scratch: string;
  let servers: FakeQdrant[];
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'lorechat-backup-qdrant-'));
    servers = [];
  });
  afterEach(async () => {
    await Promise.all(servers.map((server) => server.close()));
    rmSync(scratch, { recursive: true, force: true });
  });

  async function qdrant(): Promise<FakeQdrant> {
    const server = await startFakeQdrant();
    servers.push(server);
    return server;
  }

  const envFor = (server: FakeQdrant, dataDir: string, extra: NodeJS.ProcessEnv = {}) => ({
    LORECHAT_DATA_DIR: join(scratch, dataDir),
    VECTOR_STORE: 'qdrant',
    QDRANT_URL: server.url,
    QDRANT_API_KEY: 'qdrant-secret',
    ...extra,
  });

  it('backs up the collections while answering and restores them into an empty Qdrant that answers the same', async () => {
    const source = await qdrant();
    const backup = join(scratch, 'backup');
    const live = await startApp({ ...envFor(source, 'live'), LORECHAT_DOCS_DIR: SITE });
    // What the next ingest reads to skip unchanged pages goes with the index.
    const crawlManifest = new CrawlManifest(manifestFile(join(scratch, 'live'), 'qdrant'));
    crawlManifest.put({
      url: 'http://lorechat.test/docs/billing.md',
      etag: '"v1"',
      links: [],
      lastSeen: '2025-01-01T00:00:00.000Z',
      outcome: 'indexed',
    });
    crawlManifest.close();
    let before: Awaited<ReturnType<typeof answersOf>>;
    try {
      before = await answersOf(live);
      const [result, during] = await Promise.all([
        runBackupCommand('backup', ['--out', backup], envFor(source, 'live')),
        answersOf(live),
      ]);
      expect(during).toEqual(before);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout).toMatch(
        /^Backed up 3 pages \(4 chunks, index version 3\) of the qdrant index into .*\n {2}qdrant\/lorechat\.snapshot .*\n {2}qdrant\/lorechat_meta\.snapshot .*\n {2}crawl-manifest\.sqlite /,
      );
    } finally {
      await live.stop();
    }
    // Snapshots were made with wait=true, downloaded, then deleted from the node's disk.
    const snapshotCalls = source.requests
      .filter((request) => request.path.includes('/snapshots'))
      .map(
        (request) => `${request.method} ${request.path.replace(/snapshots\/.*/, 'snapshots/…')}`,
      );
    expect(snapshotCalls).toEqual([
      'POST /collections/lorechat/snapshots',
      'GET /collections/lorechat/snapshots/…',
      'DELETE /collections/lorechat/snapshots/…',
      'POST /collections/lorechat_meta/snapshots',
      'GET /collections/lorechat_meta/snapshots/…',
      'DELETE /collections/lorechat_meta/snapshots/…',
    ]);
    expect(source.requests.every((request) => request.headers['api-key'] === 'qdrant-secret')).toBe(
      true,
    );

    const target = await qdrant();
    const restored = await runBackupCommand('restore', ['--from', backup], envFor(target, 'new'));
    expect(restored).toMatchObject({ code: 0, stderr: '' });
    expect(restored.stdout).toMatch(
      new RegExp(
        `^Restored 3 pages \\(4 chunks\\) from the backup of .* into Qdrant collection "lorechat" at ${target.url} in \\d+ ms; index version 4\\.\\nRestored the conversation log: \\d+ answers\\.\\n$`,
      ),
    );
    const uploads = target.requests.filter((request) => request.path.endsWith('/snapshots/upload'));
    expect(uploads.map((request) => [request.path, request.query])).toEqual([
      [
        '/collections/lorechat/snapshots/upload',
        { priority: 'snapshot', checksum: expect.stringMatching(/^[0-9a-f]{64}$/), wait: 'true' },
      ],
      [
        '/collections/lorechat_meta/snapshots/upload',
        { priority: 'snapshot', checksum: expect.stringMatching(/^[0-9a-f]{64}$/), wait: 'true' },
      ],
    ]);
    const manifest = new CrawlManifest(manifestFile(join(scratch, 'new'), 'qdrant'));
    expect(manifest.get('http://lorechat.test/docs/billing.md')?.etag).toBe('"v1"');
    manifest.close();

    const again = await startApp({ ...envFor(target, 'new'), LORECHAT_DOCS_DIR: '' });
    try {
      expect(await answersOf(again)).toEqual(before);
    } finally {
      await again.stop();
    }
  });

  it('refuses to restore over a collection that holds pages unless forced', async () => {
    const source = await qdrant();
    const seededSource = await startApp({ ...envFor(source, 'a'), LORECHAT_DOCS_DIR: SITE });
    await seededSource.stop();
    const backup = join(scratch, 'backup');
    expect((await runBackupCommand('backup', ['--out', backup], envFor(source, 'a'))).code).toBe(0);

    const target = await qdrant();
    const seededTarget = await startApp({ ...envFor(target, 'b'), LORECHAT_DOCS_DIR: DOCS });
    await seededTarget.stop();
    const requestsBefore = target.requests.length;
    const writesBefore = target.storage.operationId;
    const contentsBefore = contentsOf(target);
    const refused = await runBackupCommand('restore', ['--from', backup], envFor(target, 'b'));
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'lorechat: restore refused: Qdrant collection "lorechat" already holds 2 pages (4 chunks): ' +
        'restoring would replace them. Restore into a new QDRANT_COLLECTION, or add --force to ' +
        'replace them.\n',
    });
    // It only read: no upload, no point written or deleted, the collections as they were.
    expect(
      target.requests
        .slice(requestsBefore)
        .filter((request) =>
          /snapshots|\/points\/delete|^PUT|^DELETE/.test(`${request.method} ${request.path}`),
        ),
    ).toEqual([]);
    expect(target.storage.operationId).toBe(writesBefore);
    expect(contentsOf(target)).toEqual(contentsBefore);

    const forced = await runBackupCommand(
      'restore',
      ['--from', backup, '--force'],
      envFor(target, 'b'),
    );
    expect(forced.code).toBe(0);
    // Above both the backup's version (3) and the replaced index's (2).
    expect(forced.stdout).toMatch(
      /, replacing 2 pages; index version 4\.\nRestored the conversation log/,
    );
  });

  it('refuses to back up while an ingest writes during every snapshot, leaving nothing behind', async () => {
    const source = await qdrant();
    const seeded = await startApp({ ...envFor(source, 'a'), LORECHAT_DOCS_DIR: SITE });
    await seeded.stop();
    // Each snapshot request finds the index one version further on, as under a running ingest.
    source.setScript((request) => {
      if (request.method === 'POST' && request.path.endsWith('/snapshots')) {
        for (const point of source.storage.collections.get('lorechat_meta')!.points.values()) {
          const version = point.payload.indexVersion;
          if (typeof version === 'number') point.payload.indexVersion = version + 1;
        }
      }
      return { kind: 'serve' };
    });
    const backup = join(scratch, 'backup');
    const refused = await runBackupCommand('backup', ['--out', backup], envFor(source, 'a'));
    expect(refused).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'lorechat: backup refused: the index changed during each of 3 snapshots (index version ' +
        '7 → 9): an ingest is writing to it. Back up when it has finished.\n',
    });
    expect(existsSync(backup)).toBe(false);
  });

  it('names the collection when there is nothing to back up, and each node when none holds every shard', async () => {
    const empty = await qdrant();
    const out = join(scratch, 'out');
    expect(
      await runBackupCommand(
        'backup',
        ['--out', out],
        envFor(empty, 'a', { QDRANT_COLLECTION: 'absent' }),
      ),
    ).toEqual({
      code: 1,
      stdout: '',
      stderr:
        `lorechat: backup refused: Qdrant collection "absent" does not exist at ${empty.url}: ` +
        'there is nothing to back up (check QDRANT_COLLECTION)\n',
    });

    // Two nodes of one cluster, each holding one of the collection's two shards.
    const first = await qdrant();
    const seeded = await startApp({
      ...envFor(first, 'b', { QDRANT_SHARD_NUMBER: '2' }),
      LORECHAT_DOCS_DIR: SITE,
    });
    await seeded.stop();
    const halves = [
      await startFakeQdrant({ storage: first.storage, localShards: [0] }),
      await startFakeQdrant({ storage: first.storage, localShards: [1] }),
    ];
    servers.push(...halves);
    const failed = await runBackupCommand(
      'backup',
      ['--out', out],
      envFor(first, 'b', { QDRANT_URL: halves.map((node) => node.url).join(',') }),
    );
    expect(failed.code).toBe(1);
    expect(failed.stderr).toBe(
      `lorechat: backup failed: no Qdrant node holds every shard of collection "lorechat" ` +
        `(${halves[0]!.url} lacks shard 1 of 2; ${halves[1]!.url} lacks shard 0 of 2): a snapshot ` +
        'of one node would miss points. Give every node in QDRANT_URL, or recreate the collection ' +
        'with QDRANT_SHARD_NUMBER=1 so that each replica holds all of it.\n',
    );
    expect(existsSync(out)).toBe(false);
  });

  it('says to check QDRANT_API_KEY when a node refuses the snapshot, never printing the key', async () => {
    const source = await qdrant();
    const seeded = await startApp({ ...envFor(source, 'a'), LORECHAT_DOCS_DIR: SITE });
    await seeded.stop();
    source.failWhen((request) => request.path.endsWith('/snapshots'), 403);
    const out = join(scratch, 'out');
    const failed = await runBackupCommand('backup', ['--out', out], envFor(source, 'a'));
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      new RegExp(
        `^lorechat: backup failed: Qdrant at ${source.url}: POST /collections/lorechat/snapshots ` +
          'failed: HTTP 403: .*\\(check QDRANT_API_KEY\\)\\n$',
      ),
    );
    expect(failed.stderr).not.toContain('qdrant-secret');
    expect(existsSync(out)).toBe(false);
  });

  it('refuses to recover into a collection of another shard number', async () => {
    const source = await qdrant();
    const seeded = await startApp({ ...envFor(source, 'a'), LORECHAT_DOCS_DIR: SITE });
    await seeded.stop();
    const backup = join(scratch, 'backup');
    expect((await runBackupCommand('backup', ['--out', backup], envFor(source, 'a'))).code).toBe(0);
    const target = await qdrant();
    const refused = await runBackupCommand(
      'restore',
      ['--from', backup],
      envFor(target, 'b', { QDRANT_SHARD_NUMBER: '2', QDRANT_COLLECTION: 'sharded' }),
    );
    expect(refused.stderr).toBe(
      'lorechat: restore refused: Qdrant collection "sharded" has 2 shards, the backup\'s 1: a ' +
        'snapshot only recovers into as many shards. Set QDRANT_SHARD_NUMBER=1 and restore into ' +
        'a new QDRANT_COLLECTION\n',
    );
  });
});
