import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join, relative, sep } from 'node:path';
import { type Indexer } from './indexer';
import { markdownTitle } from './markdown-chunker';

const TEXT_EXTENSIONS = new Set(['.md', '.markdown', '.txt']);

export interface DirectoryIndexReport {
  indexed: string[];
  unchanged: string[];
}

/**
 * Indexes the Markdown and text files under `dir` as pages published at `baseUrl` + their path.
 * Pages whose content is already in the store are skipped, so re-running costs only reads.
 */
export async function indexDirectory(
  indexer: Indexer,
  dir: string,
  baseUrl: string,
): Promise<DirectoryIndexReport> {
  const report: DirectoryIndexReport = { indexed: [], unchanged: [] };
  for (const file of await textFilesUnder(dir)) {
    const markdown = await readFile(file, 'utf8');
    const path = relative(dir, file).split(sep).map(encodeURIComponent).join('/');
    const url = `${baseUrl}/${path}`;
    const title = markdownTitle(markdown) ?? basename(file, extname(file));
    // Markdown files are read where they are rendered, with an anchor on every heading.
    const outcome = await indexer.index({ url, title, markdown, headingAnchors: 'slug' });
    report[outcome].push(url);
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
