import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type CrawlSummary } from '../../analytics/log-record';
import { type SkipReason } from './skip-reason';

export type PageOutcome = 'indexed' | 'unchanged' | 'updated' | 'removed' | 'skipped';

/** One line of the report: every URL the crawl saw, with exactly one outcome. */
export interface ReportEntry {
  url: string;
  outcome: PageOutcome;
  /** Set for skipped pages, and for removed ones (why they left the index). */
  reason?: SkipReason | 'gone';
  detail?: string;
}

export interface CrawlReport {
  startedAt: string;
  finishedAt: string;
  seconds: number;
  dryRun: boolean;
  sites: string[];
  totals: Record<PageOutcome, number>;
  skippedByReason: Partial<Record<SkipReason, number>>;
  pages: ReportEntry[];
}

export const REPORT_FILE = 'crawl-report.json';

/** Skips that mean something went wrong, rather than a rule being followed: exit status 2. */
const FAILURE_REASONS = new Set<string>(['http status', 'timeout', 'parse error', 'too large']);

/** A page the crawl failed on (rather than skipped by a rule). */
export function isFailure(page: ReportEntry): boolean {
  return page.outcome === 'skipped' && FAILURE_REASONS.has(page.reason ?? '');
}

export function hasFailures(report: CrawlReport): boolean {
  return report.pages.some(isFailure);
}

export function summarize(
  entries: ReportEntry[],
  meta: Pick<CrawlReport, 'startedAt' | 'dryRun' | 'sites'>,
): CrawlReport {
  const totals: Record<PageOutcome, number> = {
    indexed: 0,
    unchanged: 0,
    updated: 0,
    removed: 0,
    skipped: 0,
  };
  const skippedByReason: Partial<Record<SkipReason, number>> = {};
  for (const entry of entries) {
    totals[entry.outcome] += 1;
    if (entry.outcome === 'skipped' && entry.reason && entry.reason !== 'gone') {
      skippedByReason[entry.reason] = (skippedByReason[entry.reason] ?? 0) + 1;
    }
  }
  const finished = new Date();
  return {
    ...meta,
    finishedAt: finished.toISOString(),
    seconds: (finished.getTime() - Date.parse(meta.startedAt)) / 1000,
    totals,
    skippedByReason,
    pages: [...entries].sort((left, right) => (left.url < right.url ? -1 : 1)),
  };
}

const MAX_FAILURES_SUMMARIZED = 50;

/** The report as the owner's console shows it: totals and the failed pages, not every page. */
export function summarizeForConsole(report: CrawlReport): CrawlSummary {
  return {
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    seconds: report.seconds,
    dryRun: report.dryRun,
    sites: report.sites,
    totals: report.totals,
    skippedByReason: report.skippedByReason,
    failures: report.pages
      .filter(isFailure)
      .slice(0, MAX_FAILURES_SUMMARIZED)
      .map(({ url, reason, detail }) => ({ url, reason, detail })),
  };
}

export function saveReport(report: CrawlReport, dataDir: string): string {
  const file = join(dataDir, REPORT_FILE);
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

/** The report as a fixed-width table: outcome, reason, URL, detail. */
export function formatReportTable(report: CrawlReport): string {
  const rows = report.pages.map((page) => [
    page.outcome,
    page.reason ?? '',
    page.url,
    page.detail ?? '',
  ]);
  const header = ['OUTCOME', 'REASON', 'URL', 'DETAIL'];
  const widths = [0, 1, 2].map((column) =>
    Math.max(header[column]?.length ?? 0, ...rows.map((row) => row[column]?.length ?? 0)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) => (column < 3 ? cell.padEnd(widths[column] ?? 0) : cell))
      .join('  ')
      .trimEnd();
  const { totals } = report;
  const summary =
    `${totals.indexed} indexed, ${totals.updated} updated, ${totals.unchanged} unchanged, ` +
    `${totals.removed} removed, ${totals.skipped} skipped in ${report.seconds.toFixed(1)} s` +
    (report.dryRun ? ' (dry run: nothing written)' : '');
  return [line(header), ...rows.map(line), '', summary].join('\n');
}
