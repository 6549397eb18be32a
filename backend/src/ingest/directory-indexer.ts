import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join, relative, sep } from 'node:path';
import { type VectorStore } from '../vector-store/vector-store';
import { chunkMarkdown, markdownTitle } from './markdown-chunker';

const TEXT_EXTENSIONS = new Set(['.md', '.markdown', '.txt']);

export interface DirectoryIndexReport {
  indexed: string[];
  unchanged: string[];
}

/**
 * Indexes the Markdown and text files under `dir` as pages published at `baseUrl` + their path.
 * Pages whose content hash is already in the store are skipped, so re-running costs only reads.
 */
export async function indexDirectory(
  store: VectorStore,
  dir: string,
  baseUrl: string,
): Promise<DirectoryIndexReport> {
  const report: DirectoryIndexReport = { indexed: [], unchanged: [] };
  for (const file of await textFilesUnder(dir)) {
    const content = await readFile(file, 'utf8');
    const path = relative(dir, file).split(sep).map(encodeURIComponent).join('/');
    const url = `${baseUrl}/${path}`;
    const contentHash = createHash('sha256').update(content).digest('hex');
    if ((await store.documentHash(url)) === contentHash) {
      report.unchanged.push(url);
      continue;
    }
    const title = markdownTitle(content) ?? basename(file, extname(file));
    await store.upsertDocument({
      url,
      title,
      contentHash,
      chunks: chunkMarkdown(content, { url, title }),
    });
    report.indexed.push(url);
  }
  return report;
}

async function textFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && TEXT_EXTENSIONS.has(extname(entry.name).toLowerCase()))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}
