import { copyFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { type AppConfig, type QdrantSettings } from '../config/app-config';
import { SEPARATE_MANIFEST_FILE } from '../ingest/crawler/crawl-manifest';
import { REPORT_FILE } from '../ingest/crawler/crawl-report';
import { EmbeddedStore, INDEX_FILE } from '../vector-store/embedded.store';
import { metaCollectionOf, QdrantStore } from '../vector-store/qdrant.store';
import { QdrantSnapshots } from '../vector-store/qdrant-snapshots';
import { type StoreStats, type VectorStore } from '../vector-store/vector-store';
import { qdrantSettings } from './backup';
import { BackupError, type BackupManifest, readVerifiedManifest } from './backup-manifest';
import { conversationLogFile, loggedAnswers } from './conversation-log-copy';
import { embeddingsOf } from './embeddings-identity';
import { restoreSqlite } from './sqlite-copy';

export interface RestoreOptions {
  /** Replace an index that holds pages; without it such an index is left alone. */
  force: boolean;
}

export interface RestoreResult {
  manifest: BackupManifest;
  /** The restored index, its version raised above the backup's and the replaced index's. */
  index: StoreStats;
  /** Pages of the index the restore replaced (0 when the target was empty). */
  replacedDocuments: number;
  /** Where it was restored: the data folder, or the Qdrant collection. */
  target: string;
  /**
   * The conversation log: answers restored into the data folder's SQLite file, or why the
   * backup's log was left aside; undefined when the backup holds none.
   */
  conversationLog?: { restored: true; answers: number } | { restored: false; reason: string };
  durationMs: number;
}

/**
 * Restores the backup in `dir` into the configured index: the data folder's SQLite file, or the
 * Qdrant collection. The backup is checked whole first (every file against its SHA-256, the store
 * kind and the embeddings against the configuration), and an index that holds pages is replaced
 * only with `force`; until then nothing is changed. The restored index is then opened as the
 * server opens it and its counts compared with the backup's.
 */
export async function restore(
  config: AppConfig,
  dir: string,
  options: RestoreOptions,
): Promise<RestoreResult> {
  const started = performance.now();
  const manifest = await readVerifiedManifest(dir);
  checkCompatible(manifest, config);
  // The embedded index, then the log: each refused before anything is written.
  const previous =
    config.vectorStore.kind === 'embedded' ? await embeddedTarget(config, options) : undefined;
  const logTarget = conversationLogTarget(manifest, config, options);
  const result =
    config.vectorStore.kind === 'embedded'
      ? await restoreEmbedded(config, dir, manifest, previous)
      : await restoreQdrant(config, qdrantSettings(config), dir, manifest, options);
  const listed = (path: string) => manifest.files.some((file) => file.path === path);
  if (listed(REPORT_FILE)) copyFileSync(join(dir, REPORT_FILE), join(config.dataDir, REPORT_FILE));
  let conversationLog: RestoreResult['conversationLog'] =
    typeof logTarget === 'string' ? undefined : logTarget;
  if (typeof logTarget === 'string') {
    await restoreSqlite(join(dir, manifest.conversationLog!.path), logTarget);
    conversationLog = { restored: true, answers: loggedAnswers(logTarget) };
  }
  return { manifest, ...result, conversationLog, durationMs: performance.now() - started };
}

/**
 * Where the backup's conversation log goes: the data folder's SQLite file, or why it is left
 * aside; undefined when the backup holds no log. Refuses, before anything changes, to replace a
 * log that holds answers without `force`.
 */
function conversationLogTarget(
  manifest: BackupManifest,
  config: AppConfig,
  { force }: RestoreOptions,
): string | { restored: false; reason: string } | undefined {
  if (!manifest.conversationLog) return undefined;
  const target = conversationLogFile(config);
  if (target === undefined) {
    return {
      restored: false,
      reason:
        "ANALYTICS_STORE=postgres: the log lives in PostgreSQL, restore it from that database's backups",
    };
  }
  const answers = loggedAnswers(target);
  if (answers > 0 && !force) {
    throw new BackupError(
      `the conversation log at ${target} already holds ${answers} answers: restoring would replace ` +
        'them. Restore into an empty LORECHAT_DATA_DIR, or add --force to replace them.',
    );
  }
  return target;
}

function checkCompatible(manifest: BackupManifest, config: AppConfig): void {
  if (manifest.store !== config.vectorStore.kind) {
    throw new BackupError(
      `the backup holds a ${manifest.store} index, but VECTOR_STORE=${config.vectorStore.kind}: ` +
        `set VECTOR_STORE=${manifest.store}${manifest.store === 'qdrant' ? ' and QDRANT_URL' : ''} ` +
        'to restore it',
    );
  }
  const embeddings = embeddingsOf(config);
  if (embeddings.id !== manifest.embeddings.id) {
    throw new BackupError(
      `the backup's index was embedded with ${manifest.embeddings.id}, the configuration embeds ` +
        `with ${embeddings.id}: set EMBEDDING_PROVIDER, EMBEDDING_MODEL and EMBEDDING_DIMENSIONS ` +
        'as they were when the backup was taken',
    );
  }
  if (manifest.store === 'embedded' && !manifest.files.some((file) => file.path === INDEX_FILE)) {
    throw new BackupError(`the backup lists no ${INDEX_FILE}: it holds no embedded index`);
  }
  if (manifest.store === 'qdrant' && !manifest.qdrant) {
    throw new BackupError('the backup names no Qdrant snapshots: it holds no Qdrant index');
  }
}

type Restored = Omit<RestoreResult, 'manifest' | 'durationMs'>;

/** What the data folder's index holds; refuses, changing nothing, to replace pages without force. */
async function embeddedTarget(
  config: AppConfig,
  { force }: RestoreOptions,
): Promise<StoreStats | undefined> {
  const target = join(config.dataDir, INDEX_FILE);
  const previous = existsSync(target) ? await existingEmbedded(config, force) : undefined;
  refuseUnlessForced(previous, force, `the index at ${target}`, 'an empty LORECHAT_DATA_DIR');
  return previous;
}

async function restoreEmbedded(
  config: AppConfig,
  dir: string,
  manifest: BackupManifest,
  previous: StoreStats | undefined,
): Promise<Restored> {
  const target = join(config.dataDir, INDEX_FILE);
  await restoreSqlite(join(dir, INDEX_FILE), target);
  const store = new EmbeddedStore(config.dataDir, config.retrieval.bm25);
  return {
    ...(await verifyRestored(store, manifest, previous)),
    replacedDocuments: previous?.documents ?? 0,
    target: config.dataDir,
  };
}

/** What the target index holds; with `force`, an unreadable one counts as empty. */
async function existingEmbedded(
  config: AppConfig,
  force: boolean,
): Promise<StoreStats | undefined> {
  const store = new EmbeddedStore(config.dataDir, config.retrieval.bm25);
  try {
    return await store.stats();
  } catch (error) {
    if (force) return undefined;
    throw new BackupError(
      `the index at ${join(config.dataDir, INDEX_FILE)} cannot be read (${(error as Error).message}): ` +
        'add --force to replace it, or restore into an empty LORECHAT_DATA_DIR',
    );
  } finally {
    await store.close();
  }
}

async function restoreQdrant(
  config: AppConfig,
  settings: QdrantSettings,
  dir: string,
  manifest: BackupManifest,
  { force }: RestoreOptions,
): Promise<Restored> {
  const backup = manifest.qdrant!;
  const snapshots = new QdrantSnapshots(settings);
  const existing = await snapshots.collection(settings.collection);
  const store = new QdrantStore(settings, config.retrieval.bm25);
  // Creates the collections, empty, with the configured layout; validates existing ones.
  await store.init(manifest.embeddings.dimensions);
  const previous = existing ? await store.stats() : undefined;
  const target = `Qdrant collection "${settings.collection}"`;
  try {
    refuseUnlessForced(previous, force, target, 'a new QDRANT_COLLECTION');
    const layout = existing?.layout ?? settings.replication;
    if (layout.shardNumber !== backup.shardNumber) {
      throw new BackupError(
        `${target} has ${layout.shardNumber} shards, the backup's ${backup.shardNumber}: a ` +
          `snapshot only recovers into as many shards. Set QDRANT_SHARD_NUMBER=${backup.shardNumber} ` +
          'and restore into a new QDRANT_COLLECTION',
      );
    }
    const targets: [name: string, file: string][] = [
      [settings.collection, backup.chunks],
      [metaCollectionOf(settings.collection), backup.meta],
    ];
    for (const [name, file] of targets) {
      const node = await snapshots.nodeHoldingAll(name);
      const sha256 = manifest.files.find((entry) => entry.path === file)!.sha256;
      await snapshots.upload(node, name, join(dir, file), sha256);
    }
  } catch (error) {
    await store.close();
    throw error;
  }
  if (manifest.files.some((file) => file.path === SEPARATE_MANIFEST_FILE)) {
    await restoreSqlite(
      join(dir, SEPARATE_MANIFEST_FILE),
      join(config.dataDir, SEPARATE_MANIFEST_FILE),
    );
  }
  return {
    ...(await verifyRestored(store, manifest, previous, true)),
    replacedDocuments: previous?.documents ?? 0,
    target: `${target} at ${settings.urls.join(', ')}`,
  };
}

function refuseUnlessForced(
  previous: StoreStats | undefined,
  force: boolean,
  target: string,
  alternative: string,
): void {
  if (!previous || previous.documents === 0 || force) return;
  throw new BackupError(
    `${target} already holds ${previous.documents} pages (${previous.chunks} chunks): restoring ` +
      `would replace them. Restore into ${alternative}, or add --force to replace them.`,
  );
}

/**
 * Opens the restored index as the server would, checks that it holds what the backup held, and
 * raises its version above the backup's and the replaced index's, so no cache keyed on a version
 * seen before answers from it.
 */
async function verifyRestored(
  store: VectorStore,
  manifest: BackupManifest,
  previous: StoreStats | undefined,
  initialised = false,
): Promise<{ index: StoreStats }> {
  try {
    if (!initialised) await store.init(manifest.embeddings.dimensions);
    const restored = await store.stats();
    if (
      restored.documents !== manifest.index.documents ||
      restored.chunks !== manifest.index.chunks
    ) {
      throw new Error(
        `the restored index holds ${restored.documents} pages and ${restored.chunks} chunks, the ` +
          `backup ${manifest.index.documents} and ${manifest.index.chunks}`,
      );
    }
    await store.raiseIndexVersion(previous?.indexVersion ?? 0);
    return { index: await store.stats() };
  } finally {
    await store.close();
  }
}
