import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nextRun, parseSchedule } from '../config/schedule';
import { type CrawlReport, isFailure, REPORT_FILE } from '../ingest/crawler/crawl-report';

const MAX_FAILURES_LISTED = 50;

export interface CrawlStatus {
  report: {
    startedAt: string;
    finishedAt: string;
    seconds: number;
    dryRun: boolean;
    sites: string[];
    totals: Record<string, number>;
    skippedByReason: Record<string, number>;
    failures: { url: string; reason?: string; detail?: string }[];
  } | null;
  schedule: string | null;
  nextRunAt: string | null;
}

/**
 * The last crawl (`crawl-report.json` in the data folder, written by `lorechat ingest`) and, when
 * INGEST_SCHEDULE says when crawls run, the next one.
 */
export async function crawlStatus(
  dataDir: string,
  schedule: string | undefined,
  now: Date,
): Promise<CrawlStatus> {
  let report: CrawlReport | undefined;
  try {
    report = JSON.parse(await readFile(join(dataDir, REPORT_FILE), 'utf8')) as CrawlReport;
  } catch {
    report = undefined;
  }
  const parsed = schedule ? parseSchedule(schedule) : undefined;
  const lastStart = report ? new Date(report.startedAt) : undefined;
  const next = parsed ? nextRun(parsed, now, lastStart) : undefined;
  return {
    report: report
      ? {
          startedAt: report.startedAt,
          finishedAt: report.finishedAt,
          seconds: report.seconds,
          dryRun: report.dryRun,
          sites: report.sites,
          totals: report.totals,
          skippedByReason: report.skippedByReason,
          failures: report.pages
            .filter(isFailure)
            .slice(0, MAX_FAILURES_LISTED)
            .map(({ url, reason, detail }) => ({ url, reason, detail })),
        }
      : null,
    schedule: schedule ?? null,
    nextRunAt: next ? next.toISOString() : null,
  };
}
