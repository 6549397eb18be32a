import { readdir, readFile } from 'node:fs/promises';
import { basename, extname, join, relative, sep } from 'node:path';
import { type Indexer } from './indexer';
import { markdownTitle } from './markdown-chunker';

const TEXT_EXTENSIONS = new Set(['.md', '.markdown', '.txt']);

export interface DirectoryIndexReport {
  indexed: string[];
  unchanged: string[];
}

/** The Markdown and text files under `dir`, each with the URL it is published at. */
export async function directoryPages(
  dir: string,
  baseUrl: string,
): Promise<{ file: string; url: string }[]> {
  return (await textFilesUnder(dir)).map((file) => {
    const path = relative(dir, file).split(sep).map(encodeURIComponent).join('/');
    return { file, url: `${baseUrl}/${path}` };
  });
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
  const pages = await Promise.all(
    (await directoryPages(dir, baseUrl)).map(async ({ file, url }) => {
      const markdown = await readFile(file, 'utf8');
      const title = markdownTitle(markdown) ?? basename(file, extname(file));
      // Markdown files are read where they are rendered, with an anchor on every heading.
      return { url, title, markdown, headingAnchors: 'slug' as const };
    }),
  );
  const report: DirectoryIndexReport = { indexed: [], unchanged: [] };
  const outcomes = await indexer.indexMany(pages);
  pages.forEach((page, index) => report[outcomes[index] ?? 'indexed'].push(page.url));
  return report;
}

async function textFilesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && TEXT_EXTENSIONS.has(extname(entry.name).toLowerCase()))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}
