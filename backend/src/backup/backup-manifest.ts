import { createHash } from 'node:crypto';
import {
  createReadStream,
  existsSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { VECTOR_STORES } from '@lorechat/contracts';
import { z } from 'zod';

/** Written last: a folder with it is a complete backup, one without it is not a backup at all. */
export const MANIFEST_FILE = 'manifest.json';

const FORMAT = 'lorechat-backup';
const VERSION = 1;

const whole = z.number().int().min(0);

const fileSchema = z.object({
  /** Relative to the backup folder, `/`-separated, never leaving it. */
  path: z
    .string()
    .regex(/^(?!\/)(?!.*(^|\/)\.\.(\/|$))[\w./-]+$/, { error: 'must be a path inside the backup' }),
  bytes: whole,
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

const manifestSchema = z.object({
  format: z.literal(FORMAT),
  version: z.literal(VERSION),
  createdAt: z.string(),
  store: z.enum(VECTOR_STORES),
  /** The embedding provider's id (provider, model, size): a restored index needs the same one. */
  embeddings: z.object({ id: z.string(), dimensions: whole }),
  index: z.object({ documents: whole, chunks: whole, indexVersion: whole }),
  /** The conversation log's SQLite file, when it lived in the data folder. */
  conversationLog: z.object({ path: z.string(), answers: whole }).optional(),
  qdrant: z
    .object({
      collection: z.string(),
      /** The node whose snapshots these are. */
      node: z.string(),
      shardNumber: z.number().int().min(1),
      /** Paths (in `files`) of the snapshots of the chunk collection and of its meta collection. */
      chunks: z.string(),
      meta: z.string(),
    })
    .optional(),
  files: z.array(fileSchema),
});

export type BackupManifest = z.infer<typeof manifestSchema>;
export type BackupFile = z.infer<typeof fileSchema>;

/** Why a folder cannot be restored from: not a backup, or a damaged one. Nothing was changed. */
export class BackupError extends Error {}

export async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(file), hash);
  return hash.digest('hex');
}

/** The entry of `path` (relative to `dir`) in a manifest. */
export async function describeFile(dir: string, path: string): Promise<BackupFile> {
  const file = join(dir, path);
  return { path, bytes: statSync(file).size, sha256: await sha256Of(file) };
}

/** Writes the manifest whole or not at all, so a crash never leaves a folder that looks complete. */
export function writeManifest(
  dir: string,
  manifest: Omit<BackupManifest, 'format' | 'version'>,
): void {
  const file = join(dir, MANIFEST_FILE);
  const complete: BackupManifest = { format: FORMAT, version: VERSION, ...manifest };
  writeFileSync(`${file}.partial`, `${JSON.stringify(complete, null, 2)}\n`);
  renameSync(`${file}.partial`, file);
}

/**
 * The manifest of the backup in `dir`, after checking that every file it lists is there with the
 * size and SHA-256 it had when the backup was taken. Throws a BackupError saying what is wrong.
 */
export async function readVerifiedManifest(dir: string): Promise<BackupManifest> {
  const file = join(dir, MANIFEST_FILE);
  if (!existsSync(file)) {
    throw new BackupError(
      `${dir} is not a LoreChat backup: it has no ${MANIFEST_FILE} (a backup that did not finish has none)`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new BackupError(`${file} is not valid JSON: ${(error as Error).message}`);
  }
  const result = manifestSchema.safeParse(parsed);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.') || '(top level)'}: ${issue.message}`,
    );
    throw new BackupError(
      `${file} is not a manifest this LoreChat can read (format ${FORMAT} version ${VERSION}): ` +
        problems.join('; '),
    );
  }
  const manifest = result.data;
  for (const entry of manifest.files) {
    const path = join(dir, entry.path);
    if (!existsSync(path))
      throw new BackupError(`the backup is incomplete: ${entry.path} is missing`);
    if (statSync(path).size !== entry.bytes || (await sha256Of(path)) !== entry.sha256) {
      throw new BackupError(
        `the backup is damaged: ${entry.path} does not match the size and SHA-256 in ${MANIFEST_FILE}`,
      );
    }
  }
  const listed = new Set(manifest.files.map((entry) => entry.path));
  for (const path of [
    manifest.qdrant?.chunks,
    manifest.qdrant?.meta,
    manifest.conversationLog?.path,
  ]) {
    if (path !== undefined && !listed.has(path)) {
      throw new BackupError(`${file} names a file it does not list: ${path}`);
    }
  }
  return manifest;
}
