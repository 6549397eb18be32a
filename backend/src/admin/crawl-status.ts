import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type ConversationLogStore } from '../analytics/conversation-log.store';
import { type CrawlSummary } from '../analytics/log-record';
import { nextRun, parseSchedule } from '../config/schedule';
import { type CrawlReport, REPORT_FILE, summarizeForConsole } from '../ingest/crawler/crawl-report';

export interface CrawlStatus {
  report: CrawlSummary | null;
  schedule: string | null;
  nextRunAt: string | null;
}

async function fromFile(dataDir: string): Promise<CrawlSummary | undefined> {
  try {
    const report = JSON.parse(await readFile(join(dataDir, REPORT_FILE), 'utf8')) as CrawlReport;
    return summarizeForConsole(report);
  } catch {
    return undefined;
  }
}

async function fromLog(store: ConversationLogStore): Promise<CrawlSummary | undefined> {
  try {
    return await store.lastCrawl();
  } catch {
    return undefined;
  }
}

/**
 * The last crawl and, when INGEST_SCHEDULE says when crawls run, the next one. `lorechat ingest`
 * writes its report to `crawl-report.json` in its data folder and to the conversation log; the
 * newest of the two is shown (in AWS the crawl runs in a task of its own, whose files the server
 * does not see, so the log's copy is the one there).
 */
export async function crawlStatus(
  dataDir: string,
  store: ConversationLogStore,
  schedule: string | undefined,
  now: Date,
): Promise<CrawlStatus> {
  const reports = [await fromFile(dataDir), await fromLog(store)].filter(
    (report): report is CrawlSummary => report !== undefined,
  );
  const report = reports.sort((left, right) => (left.finishedAt < right.finishedAt ? 1 : -1))[0];
  const parsed = schedule ? parseSchedule(schedule) : undefined;
  const next = parsed
    ? nextRun(parsed, now, report ? new Date(report.startedAt) : undefined)
    : undefined;
  return {
    report: report ?? null,
    schedule: schedule ?? null,
    nextRunAt: next ? next.toISOString() : null,
  };
}
