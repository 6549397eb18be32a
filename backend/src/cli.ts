#!/usr/bin/env node
/**
 * The `lorechat` command. `lorechat ingest --site URL …` crawls sites (or `--dir PATH` indexes files)
 * into the index the chat answers from. Exit status: 0 done, 1 bad usage or configuration, 2 the
 * crawl finished but some pages failed (see the report). `lorechat backup` and `lorechat restore`
 * are in backup/backup-cli.ts.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { createConversationLogStore } from './analytics/analytics.module';
import { backupCommand } from './backup/backup-cli';
import { type AppConfig, ConfigError, loadConfig } from './config/app-config';
import { createEmbeddingProvider } from './embeddings/embeddings.module';
import { CrawlManifest, manifestFile } from './ingest/crawler/crawl-manifest';
import {
  formatReportTable,
  hasFailures,
  saveReport,
  summarizeForConsole,
  type CrawlReport,
} from './ingest/crawler/crawl-report';
import { type CrawlProgress, DEFAULT_CRAWL_OPTIONS } from './ingest/crawler/crawl-options';
import { Crawler } from './ingest/crawler/crawler';
import { RenderUnavailableError } from './ingest/crawler/js-renderer';
import { normalizeUrl } from './common/url-normalizer';
import { indexDirectory } from './ingest/directory-indexer';
import { Indexer } from './ingest/indexer';
import { Analyzer } from './text/analyzer';
import { openVectorStore } from './vector-store/vector-store.module';

const USAGE = `Usage: lorechat ingest [options]

  --site URL               start URL of a site to crawl (repeatable)
  --sitemap URL            a sitemap to read besides robots.txt's (repeatable)
  --dir PATH               index Markdown and text files from a folder instead of crawling
  --dir-base-url URL       the URL the --dir files are published under (default file://PATH)
  --max-pages N            stop after N pages (default ${DEFAULT_CRAWL_OPTIONS.maxPages})
  --max-depth N            link hops from a start URL or sitemap entry (default ${DEFAULT_CRAWL_OPTIONS.maxDepth})
  --include PATTERN        only crawl matching URLs; * is a wildcard (repeatable)
  --exclude PATTERN        never crawl matching URLs (repeatable)
  --subdomains             also crawl subdomains of the sites
  --concurrency N          parallel requests (default ${DEFAULT_CRAWL_OPTIONS.concurrency})
  --delay-ms N             pause between requests to one host (default ${DEFAULT_CRAWL_OPTIONS.delayMs}; robots.txt Crawl-delay may raise it, up to 30 s)
  --timeout-ms N           deadline per request (default ${DEFAULT_CRAWL_OPTIONS.timeoutMs})
  --max-bytes N            largest page or sitemap read, after decompression (default ${DEFAULT_CRAWL_OPTIONS.maxBytes})
  --render js              render HTML pages in headless Chromium first, for sites built by scripts
                           (needs playwright-core and Chromium: /usr/bin/chromium or CHROMIUM_PATH)
  --allow-private-network  allow private, loopback and link-local addresses (local test sites)
  --json                   print the report as JSON instead of a table
  --dry-run                crawl and report, but write nothing to the index

Also: lorechat backup --out DIR, lorechat restore --from DIR [--force] (see lorechat backup --help)
`;

export class UsageError extends Error {}

function wholeNumber(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) {
    throw new UsageError(`--${name} must be a whole number, got "${value}"`);
  }
  return number;
}

function urls(name: string, values: string[] | undefined): string[] {
  return (values ?? []).map((value) => {
    const url = normalizeUrl(value);
    if (!url) throw new UsageError(`--${name} must be an http(s) URL, got "${value}"`);
    return url;
  });
}

/** node:util's parseArgs, its errors (unknown option, missing value) turned into usage errors. */
function parseOptions<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (error) {
    // Checked by code, not by class: parseArgs throws a TypeError from Node's own realm.
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS')) {
      throw new UsageError((error as Error).message);
    }
    throw error;
  }
}

function parseIngestArgs(args: string[]) {
  const { values } = parseOptions({
    args,
    strict: true,
    options: {
      site: { type: 'string', multiple: true },
      sitemap: { type: 'string', multiple: true },
      dir: { type: 'string' },
      'dir-base-url': { type: 'string' },
      'max-pages': { type: 'string' },
      'max-depth': { type: 'string' },
      include: { type: 'string', multiple: true },
      exclude: { type: 'string', multiple: true },
      subdomains: { type: 'boolean', default: false },
      concurrency: { type: 'string' },
      'delay-ms': { type: 'string' },
      'timeout-ms': { type: 'string' },
      'max-bytes': { type: 'string' },
      render: { type: 'string' },
      'allow-private-network': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      'dry-run': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.render !== undefined && values.render !== 'js') {
    throw new UsageError(`--render takes only "js", not "${values.render}"`);
  }
  const sites = urls('site', values.site);
  const sitemaps = urls('sitemap', values.sitemap);
  if (!values.help && !values.dir && sites.length === 0 && sitemaps.length === 0) {
    throw new UsageError('give at least one --site URL, --sitemap URL or --dir PATH');
  }
  const defaults = DEFAULT_CRAWL_OPTIONS;
  return {
    help: values.help,
    json: values.json,
    dir: values.dir,
    dirBaseUrl: values['dir-base-url'],
    crawl: {
      ...defaults,
      sites: sites.length > 0 ? sites : sitemaps.map((sitemap) => new URL('/', sitemap).href),
      sitemaps,
      maxPages: wholeNumber('max-pages', values['max-pages'], defaults.maxPages),
      maxDepth: wholeNumber('max-depth', values['max-depth'], defaults.maxDepth),
      include: values.include ?? [],
      exclude: values.exclude ?? [],
      subdomains: values.subdomains,
      concurrency: Math.max(
        1,
        wholeNumber('concurrency', values.concurrency, defaults.concurrency),
      ),
      delayMs: wholeNumber('delay-ms', values['delay-ms'], defaults.delayMs),
      timeoutMs: Math.max(1, wholeNumber('timeout-ms', values['timeout-ms'], defaults.timeoutMs)),
      maxBytes: Math.max(1, wholeNumber('max-bytes', values['max-bytes'], defaults.maxBytes)),
      allowPrivateNetwork: values['allow-private-network'],
      dryRun: values['dry-run'],
      render: values.render === 'js' ? ('js' as const) : ('none' as const),
    },
  };
}

/** A one-line progress display on a terminal; nothing when piped (the report is the output). */
function progressPrinter(stream: NodeJS.WriteStream): (progress: CrawlProgress) => void {
  if (!stream.isTTY) return () => undefined;
  const started = Date.now();
  let last = 0;
  return ({ done, queued }) => {
    const now = Date.now();
    if (now - last < 200 && queued > 0) return;
    last = now;
    const rate = done / Math.max(0.001, (now - started) / 1000);
    const eta = rate > 0 ? Math.round(queued / rate) : 0;
    stream.write(`\r\x1b[K${done} done, ${queued} queued, ${rate.toFixed(1)} pages/s, ETA ${eta}s`);
  };
}

/**
 * Puts the crawl's summary in the conversation log too, where the owner's console finds it even
 * when the crawl ran elsewhere (in AWS, the ingest job's own task). A log that cannot be reached
 * costs the console its copy, never the crawl.
 */
async function recordInLog(
  config: AppConfig,
  report: CrawlReport,
  stderr: NodeJS.WriteStream,
): Promise<void> {
  const log = createConversationLogStore(config);
  try {
    await log.saveCrawl(summarizeForConsole(report));
  } catch (error) {
    stderr.write(`The crawl report was not saved for the console: ${(error as Error).message}\n`);
  } finally {
    await log.close();
  }
}

/** The sites were refused as private addresses: nothing of them could be indexed. */
const PRIVATE_NETWORK_EXIT = 3;

function privateNetworkHint(count: number, example: string): string {
  return (
    `lorechat: ${count} URL${count === 1 ? ' was' : 's were'} skipped as private network addresses ` +
    `(such as ${example}). To crawl a site on this machine or your network, add --allow-private-network.\n`
  );
}

/**
 * Where the index went and how to chat with it: the server reads the same data folder only when
 * started with the same LORECHAT_DATA_DIR (by default the demo's own, which it shares).
 */
function whereItWent(dataDir: string, environment: NodeJS.ProcessEnv): string {
  const shared = environment.LORECHAT_DATA_DIR
    ? ''
    : ' (the default data folder, which the demo on npm start also uses)';
  return (
    `Indexed into ${dataDir}${shared}.\n` +
    `Chat with it: LORECHAT_DATA_DIR=${dataDir} npm start, then open the page it prints.\n`
  );
}

export async function ingest(
  args: string[],
  environment: NodeJS.ProcessEnv,
  output: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream },
): Promise<number> {
  const options = parseIngestArgs(args);
  if (options.help) {
    output.stdout.write(USAGE);
    return 0;
  }
  const config = loadConfig(environment);
  const embeddings = createEmbeddingProvider(config);
  const store = await openVectorStore(config, embeddings.dimensions);
  const indexer = new Indexer(store, new Analyzer(config.retrieval.language), embeddings);
  try {
    if (options.dir) {
      const base = options.dirBaseUrl ?? `file://${options.dir.replace(/\/+$/, '')}`;
      const result = await indexDirectory(indexer, options.dir, base.replace(/\/+$/, ''));
      output.stdout.write(
        options.json
          ? `${JSON.stringify(result)}\n`
          : `${result.indexed.length} indexed, ${result.unchanged.length} unchanged\n`,
      );
      output.stderr.write(whereItWent(config.dataDir, environment));
      return 0;
    }
    const manifest = new CrawlManifest(manifestFile(config.dataDir, config.vectorStore.kind));
    let report: CrawlReport;
    try {
      const showProgress = options.json ? () => undefined : progressPrinter(output.stderr);
      const crawl = {
        ...options.crawl,
        chromiumPath: environment.CHROMIUM_PATH ?? options.crawl.chromiumPath,
      };
      report = await new Crawler(crawl, indexer, store, manifest, showProgress).run();
    } finally {
      manifest.close();
    }
    if (output.stderr.isTTY && !options.json) output.stderr.write('\r\x1b[K');
    const file = saveReport(report, config.dataDir);
    if (!report.dryRun) await recordInLog(config, report, output.stderr);
    output.stdout.write(
      options.json
        ? `${JSON.stringify(report)}\n`
        : `${formatReportTable(report)}\nReport: ${file}\n`,
    );
    const privateSkips = report.pages.filter((page) => page.reason === 'private network');
    if (privateSkips.length > 0) {
      output.stderr.write(privateNetworkHint(privateSkips.length, privateSkips[0]?.url ?? ''));
      const { indexed, updated, unchanged } = report.totals;
      // Nothing could be crawled: a local site without the flag, not a stray private link.
      if (indexed + updated + unchanged === 0) return PRIVATE_NETWORK_EXIT;
    }
    if (!report.dryRun) output.stderr.write(whereItWent(config.dataDir, environment));
    return hasFailures(report) ? 2 : 0;
  } finally {
    await store.close();
  }
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === 'ingest') return await ingest(rest, process.env, process);
    if (command === 'backup' || command === 'restore') {
      return await backupCommand(command, rest, process.env, process);
    }
    process.stdout.write(USAGE);
    return command === undefined || command === '--help' ? 0 : 1;
  } catch (error) {
    if (
      error instanceof UsageError ||
      error instanceof ConfigError ||
      error instanceof RenderUnavailableError
    ) {
      process.stderr.write(
        `lorechat: ${error.message}\n\n${error instanceof UsageError ? USAGE : ''}`,
      );
      return 1;
    }
    throw error;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(
        `lorechat: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exitCode = 1;
    },
  );
}
