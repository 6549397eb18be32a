import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  formatReportTable,
  hasFailures,
  REPORT_FILE,
  type ReportEntry,
  saveReport,
  summarize,
} from './crawl-report';

const entries: ReportEntry[] = [
  { url: 'https://example.com/b', outcome: 'indexed' },
  { url: 'https://example.com/a', outcome: 'skipped', reason: 'robots' },
  { url: 'https://example.com/c', outcome: 'removed', reason: 'gone', detail: 'HTTP 404' },
  { url: 'https://example.com/d', outcome: 'skipped', reason: 'robots' },
  { url: 'https://example.com/e', outcome: 'unchanged', detail: 'HTTP 304' },
];
const meta = {
  startedAt: new Date().toISOString(),
  dryRun: false,
  sites: ['https://example.com/'],
};

describe('crawl report', () => {
  it('counts every outcome and skip reason, with pages sorted by URL', () => {
    const report = summarize(entries, meta);
    expect(report.totals).toEqual({ indexed: 1, unchanged: 1, updated: 0, removed: 1, skipped: 2 });
    expect(report.skippedByReason).toEqual({ robots: 2 });
    expect(report.pages.map((page) => page.url.slice(-1))).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(report.seconds).toBeGreaterThanOrEqual(0);
  });

  it('calls a crawl failed only for skips that are errors, not rules followed', () => {
    expect(hasFailures(summarize(entries, meta))).toBe(false);
    const timedOut: ReportEntry = {
      url: 'https://example.com/f',
      outcome: 'skipped',
      reason: 'timeout',
    };
    expect(hasFailures(summarize([...entries, timedOut], meta))).toBe(true);
  });

  it('prints an aligned table with a summary line', () => {
    const table = formatReportTable(summarize(entries, { ...meta, dryRun: true })).split('\n');
    expect(table[0]).toMatch(/^OUTCOME {4}REASON {2}URL {20}DETAIL$/);
    expect(table[3]).toBe('removed    gone    https://example.com/c  HTTP 404');
    expect(table.at(-1)).toMatch(
      /^1 indexed, 0 updated, 1 unchanged, 1 removed, 2 skipped in \d+\.\d s \(dry run: nothing written\)$/,
    );
  });

  it('saves the report as JSON in the data directory', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'lorechat-report-'));
    try {
      const report = summarize(entries, meta);
      const file = saveReport(report, dataDir);
      expect(file).toBe(join(dataDir, REPORT_FILE));
      expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(report);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
