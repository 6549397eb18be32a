import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LOG_FILE } from '../analytics/sqlite.conversation-log.store';
import { type AppConfig, type QdrantSettings } from '../config/app-config';
import { SEPARATE_MANIFEST_FILE } from '../ingest/crawler/crawl-manifest';
import { REPORT_FILE } from '../ingest/crawler/crawl-report';
import { EmbeddedStore, INDEX_FILE } from '../vector-store/embedded.store';
import { metaCollectionOf, QdrantStore } from '../vector-store/qdrant.store';
import { displayUrl } from '../vector-store/qdrant-nodes';
import { QdrantSnapshots } from '../vector-store/qdrant-snapshots';
import { type StoreStats } from '../vector-store/vector-store';
import {
  BackupError,
  type BackupFile,
  type BackupManifest,
  describeFile,
  writeManifest,
} from './backup-manifest';
import { conversationLogFile, loggedAnswers } from './conversation-log-copy';
import { embeddingsOf } from './embeddings-identity';
import { settleSqlite, snapshotSqlite } from './sqlite-copy';

/** Snapshots of the Qdrant collections go here, inside the backup folder. */
const QDRANT_DIR = 'qdrant';

/** Qdrant snapshots taken again when an ingest wrote during the previous attempt. */
const QDRANT_ATTEMPTS = 3;

export interface BackupResult {
  dir: string;
  manifest: BackupManifest;
  durationMs: number;
}

/**
 * Backs up the configured index into `dir`, a new or empty folder, while the server keeps
 * answering from it: the index (the SQLite file, or the Qdrant collections' snapshots), the crawl
 * manifest that tells the next ingest what is unchanged, and the last crawl report. Each file's
 * SHA-256 goes into manifest.json, written last. The conversation log goes too when it is the
 * SQLite file in the data folder (with PostgreSQL, the database's own backups cover it). The
 * embedding cache (rebuilt as pages are embedded again) and the admin token are not backed up.
 */
export async function backUp(config: AppConfig, dir: string): Promise<BackupResult> {
  const started = performance.now();
  const created = prepareFolder(dir);
  try {
    const embeddings = embeddingsOf(config);
    const files: BackupFile[] = [];
    const add = async (path: string) => files.push(await describeFile(dir, path));
    let index: StoreStats;
    let qdrant: BackupManifest['qdrant'];
    if (config.vectorStore.kind === 'embedded') {
      index = await backUpEmbedded(config, dir, embeddings.dimensions);
      await add(INDEX_FILE);
    } else {
      const settings = qdrantSettings(config);
      ({ index, qdrant } = await backUpQdrant(config, settings, dir, embeddings.dimensions));
      await add(qdrant.chunks);
      await add(qdrant.meta);
      const crawlManifest = join(config.dataDir, SEPARATE_MANIFEST_FILE);
      if (existsSync(crawlManifest)) {
        snapshotSqlite(crawlManifest, join(dir, SEPARATE_MANIFEST_FILE));
        await add(SEPARATE_MANIFEST_FILE);
      }
    }
    let conversationLog: BackupManifest['conversationLog'];
    const logFile = conversationLogFile(config);
    if (logFile !== undefined && existsSync(logFile)) {
      // The server writes answers to it as they are given: a copy as of one commit.
      snapshotSqlite(logFile, join(dir, LOG_FILE));
      settleSqlite(join(dir, LOG_FILE));
      conversationLog = { path: LOG_FILE, answers: loggedAnswers(join(dir, LOG_FILE)) };
      await add(LOG_FILE);
    }
    if (existsSync(join(config.dataDir, REPORT_FILE))) {
      copyFileSync(join(config.dataDir, REPORT_FILE), join(dir, REPORT_FILE));
      await add(REPORT_FILE);
    }
    const manifest = {
      createdAt: new Date().toISOString(),
      store: config.vectorStore.kind,
      embeddings,
      index,
      conversationLog,
      qdrant,
      files,
    };
    writeManifest(dir, manifest);
    return {
      dir,
      manifest: { format: 'lorechat-backup', version: 1, ...manifest },
      durationMs: performance.now() - started,
    };
  } catch (error) {
    // No half backup is left behind to be mistaken for one.
    if (created) rmSync(dir, { recursive: true, force: true });
    else for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true });
    throw error;
  }
}

export function qdrantSettings(config: AppConfig): QdrantSettings {
  const settings = config.vectorStore.qdrant;
  if (!settings) throw new BackupError('VECTOR_STORE=qdrant needs QDRANT_URL');
  return settings;
}

/** Creates `dir` if needed; refuses one that holds anything. True when it created the folder. */
function prepareFolder(dir: string): boolean {
  if (existsSync(dir)) {
    if (readdirSync(dir).length > 0) {
      throw new BackupError(
        `${dir} is not empty: give --out a new or empty folder (a backup never overwrites another)`,
      );
    }
    return false;
  }
  mkdirSync(dir, { recursive: true });
  return true;
}

async function backUpEmbedded(
  config: AppConfig,
  dir: string,
  dimensions: number,
): Promise<StoreStats> {
  const source = join(config.dataDir, INDEX_FILE);
  if (!existsSync(source)) {
    throw new BackupError(
      `there is no index at ${source} to back up: check LORECHAT_DATA_DIR, or ingest a site first`,
    );
  }
  snapshotSqlite(source, join(dir, INDEX_FILE));
  // The copy, opened as the server would open it: it must be an index for these embeddings.
  const copy = new EmbeddedStore(dir, config.retrieval.bm25);
  try {
    await copy.init(dimensions);
    return await copy.stats();
  } finally {
    await copy.close();
    settleSqlite(join(dir, INDEX_FILE));
  }
}

/**
 * Snapshots the chunk collection and its meta collection on a node holding all of each, and
 * downloads them. Qdrant cannot snapshot two collections at one instant, so the index's counts
 * are read before and after: if an ingest wrote in between, the snapshots are taken again.
 */
async function backUpQdrant(
  config: AppConfig,
  settings: QdrantSettings,
  dir: string,
  dimensions: number,
): Promise<{ index: StoreStats; qdrant: NonNullable<BackupManifest['qdrant']> }> {
  const snapshots = new QdrantSnapshots(settings);
  const collections = [settings.collection, metaCollectionOf(settings.collection)];
  const states = await Promise.all(collections.map((name) => snapshots.collection(name)));
  const chunksState = states[0];
  if (!chunksState || !states[1]) {
    throw new BackupError(
      `Qdrant collection "${collections[states[0] ? 1 : 0]}" does not exist at ` +
        `${settings.urls.join(', ')}: there is nothing to back up (check QDRANT_COLLECTION)`,
    );
  }
  const store = new QdrantStore(settings, config.retrieval.bm25);
  mkdirSync(join(dir, QDRANT_DIR), { recursive: true });
  try {
    await store.init(dimensions);
    let changes = '';
    for (let attempt = 1; attempt <= QDRANT_ATTEMPTS; attempt += 1) {
      const before = await store.stats();
      let node = '';
      for (const name of collections) {
        node = await snapshots.nodeHoldingAll(name);
        const snapshot = await snapshots.create(node, name);
        await snapshots.download(node, name, snapshot, join(dir, QDRANT_DIR, `${name}.snapshot`));
        await snapshots.delete(node, name, snapshot.name);
      }
      const after = await store.stats();
      if (sameStats(before, after)) {
        return {
          index: after,
          qdrant: {
            collection: settings.collection,
            node: displayUrl(node),
            shardNumber: chunksState.layout.shardNumber,
            chunks: `${QDRANT_DIR}/${collections[0]}.snapshot`,
            meta: `${QDRANT_DIR}/${collections[1]}.snapshot`,
          },
        };
      }
      changes = `index version ${before.indexVersion} → ${after.indexVersion}`;
    }
    throw new BackupError(
      `the index changed during each of ${QDRANT_ATTEMPTS} snapshots (${changes}): an ingest is ` +
        'writing to it. Back up when it has finished.',
    );
  } finally {
    await store.close();
  }
}

function sameStats(a: StoreStats, b: StoreStats): boolean {
  return a.documents === b.documents && a.chunks === b.chunks && a.indexVersion === b.indexVersion;
}
