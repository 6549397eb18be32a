import { api } from '../api';
import { formatNumber, formatTime, h } from '../dom';
import { type CrawlStatus } from '../types';

function render(status: CrawlStatus): HTMLElement[] {
  const next = h(
    'p',
    { attrs: { 'data-next-run': '' } },
    status.nextRunAt
      ? `Next crawl: ${formatTime(status.nextRunAt)} (schedule ${status.schedule ?? ''})`
      : status.schedule
        ? `Crawls run on the schedule ${status.schedule}; the next run is not known yet.`
        : 'No crawl schedule is set (INGEST_SCHEDULE): crawls run when someone runs lorechat ingest.',
  );
  const { report } = status;
  if (!report) {
    return [
      next,
      h(
        'p',
        { class: 'muted' },
        'No crawl has run here yet (no crawl-report.json in the data folder).',
      ),
    ];
  }
  const totals = Object.entries(report.totals);
  return [
    next,
    h('h2', {}, 'Last crawl'),
    h(
      'p',
      {},
      `${formatTime(report.startedAt)}, ${report.seconds.toFixed(1)} s, ${report.sites.join(', ')}`,
      report.dryRun ? ' (dry run: nothing written)' : '',
    ),
    h(
      'dl',
      { class: 'tiles' },
      ...totals.map(([outcome, count]) =>
        h('div', { class: 'tile' }, h('dt', {}, outcome), h('dd', {}, formatNumber(count))),
      ),
    ),
    h('h2', {}, `Failed pages (${report.failures.length})`),
    report.failures.length
      ? h(
          'ul',
          {},
          ...report.failures.map((failure) =>
            h(
              'li',
              {},
              failure.url,
              h('span', { class: 'muted' }, ` — ${failure.reason ?? ''} ${failure.detail ?? ''}`),
            ),
          ),
        )
      : h('p', { class: 'muted' }, 'None.'),
  ];
}

export function crawlView(): HTMLElement {
  const body = h('div', { attrs: { 'aria-busy': 'true' } }, 'Loading…');
  void api.crawl().then(
    (status) => {
      body.replaceChildren(...render(status));
      body.setAttribute('aria-busy', 'false');
    },
    (error: unknown) => body.replaceChildren(h('p', { class: 'error' }, (error as Error).message)),
  );
  return h('section', {}, body);
}
