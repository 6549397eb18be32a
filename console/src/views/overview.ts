import { api } from '../api';
import { chartFigure } from '../charts';
import { formatMs, formatNumber, formatUsd, h } from '../dom';
import { type Stats } from '../types';
import { period, periodSelect } from './period';

function tile(label: string, value: string, id: string): HTMLElement {
  return h(
    'div',
    { class: 'tile', attrs: { 'data-stat': id } },
    h('dt', {}, label),
    h('dd', {}, value),
  );
}

function shortDay(day: string): string {
  return day.slice(5);
}

function render(container: HTMLElement, stats: Stats): void {
  const { totals, days } = stats;
  const labels = days.map((day) => shortDay(day.day));
  const count = (value: number) => formatNumber(value);
  container.replaceChildren(
    h(
      'dl',
      { class: 'tiles' },
      tile('Questions', count(totals.questions), 'questions'),
      tile('Answered', count(totals.answered), 'answered'),
      tile('Not found', count(totals.notFound), 'not-found'),
      tile('Rated up', count(totals.ratedUp), 'rated-up'),
      tile('Rated down', count(totals.ratedDown), 'rated-down'),
      tile('Tokens', count(totals.tokens), 'tokens'),
      tile('Cost', formatUsd(totals.costUsd), 'cost'),
      tile('First token, p95', formatMs(totals.firstTokenP95Ms), 'first-token'),
    ),
    h(
      'div',
      { class: 'charts' },
      chartFigure({
        title: 'Questions a day',
        kind: 'bar',
        labels,
        series: [
          { label: 'Questions', values: days.map((day) => day.questions), color: '--chart-1' },
        ],
        format: count,
      }),
      chartFigure({
        title: 'Answered and not found',
        kind: 'bar',
        stacked: true,
        labels,
        series: [
          { label: 'Answered', values: days.map((day) => day.answered), color: '--chart-good' },
          { label: 'Not found', values: days.map((day) => day.notFound), color: '--chart-bad' },
        ],
        format: count,
      }),
      chartFigure({
        title: 'Ratings',
        kind: 'bar',
        stacked: true,
        labels,
        series: [
          { label: 'Rated up', values: days.map((day) => day.ratedUp), color: '--chart-good' },
          { label: 'Rated down', values: days.map((day) => day.ratedDown), color: '--chart-bad' },
        ],
        format: count,
      }),
      chartFigure({
        title: 'Time to first token, 95th percentile',
        kind: 'line',
        labels,
        series: [
          { label: 'p95', values: days.map((day) => day.firstTokenP95Ms), color: '--chart-1' },
        ],
        format: formatMs,
      }),
      chartFigure({
        title: 'Cost a day',
        kind: 'bar',
        labels,
        series: [
          { label: 'Cost (USD)', values: days.map((day) => day.costUsd), color: '--chart-2' },
        ],
        format: formatUsd,
      }),
    ),
  );
}

export function overviewView(): HTMLElement {
  const body = h('div', { attrs: { 'aria-busy': 'true' } }, 'Loading…');
  const load = (days: number) => {
    body.setAttribute('aria-busy', 'true');
    void api.stats(days).then(
      (stats) => {
        render(body, stats);
        body.setAttribute('aria-busy', 'false');
      },
      (error: unknown) =>
        body.replaceChildren(h('p', { class: 'error' }, (error as Error).message)),
    );
  };
  load(period());
  return h('section', {}, h('div', { class: 'toolbar' }, periodSelect(load)), body);
}
