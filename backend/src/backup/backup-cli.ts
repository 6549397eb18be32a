import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config/app-config';
import { backUp } from './backup';
import { BackupError } from './backup-manifest';
import { restore } from './restore';

export const BACKUP_USAGE = `Usage: lorechat backup --out DIR
       lorechat restore --from DIR [--force]

  backup --out DIR     back up the index (VECTOR_STORE: the SQLite file in LORECHAT_DATA_DIR, or
                       the Qdrant collection's snapshots), its crawl manifest, the last crawl
                       report and the conversation log (ANALYTICS_STORE=sqlite) into DIR, a new
                       or empty folder, while the server keeps answering
  restore --from DIR   restore the backup in DIR into the configured index: LORECHAT_DATA_DIR, or
                       QDRANT_COLLECTION at QDRANT_URL. Checks every file first.
  --force              replace an index that holds pages, or a log that holds answers (restore
                       refuses otherwise, changing nothing)
  --json               print the result as JSON
`;

interface Output {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/**
 * `lorechat backup` and `lorechat restore`. Exit status: 0 done, 1 bad usage, configuration, or a
 * backup or restore refused or failed (the message says why; a refused restore changed nothing).
 */
export async function backupCommand(
  command: 'backup' | 'restore',
  args: string[],
  environment: NodeJS.ProcessEnv,
  output: Output,
): Promise<number> {
  let values: { out?: string; from?: string; force: boolean; json: boolean; help: boolean };
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        out: { type: 'string' },
        from: { type: 'string' },
        force: { type: 'boolean', default: false },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }));
    if (values.help) {
      output.stdout.write(BACKUP_USAGE);
      return 0;
    }
    if (command === 'backup' && (values.out === undefined || values.from || values.force)) {
      throw new Error('backup takes --out DIR (and no --from or --force)');
    }
    if (command === 'restore' && (values.from === undefined || values.out)) {
      throw new Error('restore takes --from DIR (and no --out)');
    }
  } catch (error) {
    output.stderr.write(`lorechat: ${(error as Error).message}\n\n${BACKUP_USAGE}`);
    return 1;
  }
  const config = loadConfig(environment);
  try {
    if (command === 'backup') {
      const result = await backUp(config, resolve(values.out!));
      const { index, store, files, conversationLog } = result.manifest;
      output.stdout.write(
        values.json
          ? `${JSON.stringify(result)}\n`
          : `Backed up ${index.documents} pages (${index.chunks} chunks, index version ` +
              `${index.indexVersion}) of the ${store} index into ${result.dir} in ` +
              `${Math.round(result.durationMs)} ms` +
              (conversationLog
                ? `, with the conversation log (${conversationLog.answers} answers)`
                : '') +
              ':\n' +
              files
                .map((file) => `  ${file.path}  ${file.bytes} bytes  sha256 ${file.sha256}\n`)
                .join(''),
      );
      return 0;
    }
    const result = await restore(config, resolve(values.from!), { force: values.force });
    output.stdout.write(
      values.json
        ? `${JSON.stringify(result)}\n`
        : `Restored ${result.index.documents} pages (${result.index.chunks} chunks) from the ` +
            `backup of ${result.manifest.createdAt} into ${result.target} in ` +
            `${Math.round(result.durationMs)} ms` +
            (result.replacedDocuments > 0 ? `, replacing ${result.replacedDocuments} pages` : '') +
            `; index version ${result.index.indexVersion}.\n` +
            (result.conversationLog === undefined
              ? ''
              : result.conversationLog.restored
                ? `Restored the conversation log: ${result.conversationLog.answers} answers.\n`
                : `Left the backup's conversation log aside: ${result.conversationLog.reason}.\n`),
    );
    return 0;
  } catch (error) {
    const message = (error as Error).message;
    output.stderr.write(
      `lorechat: ${command} ${error instanceof BackupError ? 'refused' : 'failed'}: ${message}\n`,
    );
    return 1;
  }
}
