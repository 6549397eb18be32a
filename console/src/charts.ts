import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  type ChartDataset,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from 'chart.js';
import { h } from './dom';

// Only the parts the console draws, so the bundle keeps only those.
Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Legend,
  Tooltip,
);

export interface Series {
  label: string;
  values: (number | null)[];
  /** A CSS custom property of console.css holding the colour, so dark mode changes it. */
  color: string;
}

export interface ChartSpec {
  title: string;
  kind: 'bar' | 'line';
  stacked?: boolean;
  labels: string[];
  series: Series[];
  /** How a value reads in the data table and the tooltip. */
  format: (value: number) => string;
}

const charts = new Set<Chart>();

function cssColor(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

function dataset(spec: ChartSpec, series: Series): ChartDataset<'bar' | 'line', (number | null)[]> {
  const color = cssColor(series.color);
  return {
    label: series.label,
    data: series.values,
    backgroundColor: color,
    borderColor: color,
    ...(spec.kind === 'line' && { spanGaps: true, pointRadius: 2, tension: 0.2 }),
  };
}

function build(canvas: HTMLCanvasElement, spec: ChartSpec): Chart {
  const text = cssColor('--muted');
  const grid = cssColor('--border');
  const axis = { ticks: { color: text }, grid: { color: grid }, stacked: spec.stacked ?? false };
  return new Chart(canvas, {
    type: spec.kind,
    data: { labels: spec.labels, datasets: spec.series.map((series) => dataset(spec, series)) },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: { x: axis, y: { ...axis, beginAtZero: true } },
      plugins: {
        legend: { display: spec.series.length > 1, labels: { color: text } },
        tooltip: {
          callbacks: {
            label: (item) => `${item.dataset.label ?? ''}: ${spec.format(Number(item.raw))}`,
          },
        },
      },
    },
  });
}

/**
 * A chart as a figure: the canvas (an image to assistive technology, labelled with its title and
 * the period's total) and the same numbers as a table under a disclosure, for keyboards and
 * screen readers.
 */
export function chartFigure(spec: ChartSpec): HTMLElement {
  const totals = spec.series
    .map((series) => {
      const values = series.values.filter((value): value is number => value !== null);
      return `${series.label}: ${values.length ? spec.format(values.reduce((a, b) => a + b, 0)) : 'none'}`;
    })
    .join(', ');
  const canvas = h('canvas', { attrs: { role: 'img', 'aria-label': `${spec.title}. ${totals}.` } });
  const table = h(
    'table',
    {},
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { attrs: { scope: 'col' } }, 'Day'),
        ...spec.series.map((series) => h('th', { attrs: { scope: 'col' } }, series.label)),
      ),
    ),
    h(
      'tbody',
      {},
      ...spec.labels.map((label, index) =>
        h(
          'tr',
          {},
          h('th', { attrs: { scope: 'row' } }, label),
          ...spec.series.map((series) => {
            const value = series.values[index];
            return h('td', {}, value === null || value === undefined ? '–' : spec.format(value));
          }),
        ),
      ),
    ),
  );
  const figure = h(
    'figure',
    { class: 'chart' },
    h('figcaption', {}, spec.title),
    h('div', { class: 'chart-canvas' }, canvas),
    h('details', {}, h('summary', {}, `${spec.title}: data table`), table),
  );
  // Drawn once the figure is in the page, so the canvas has its size.
  requestAnimationFrame(() => {
    if (!canvas.isConnected) return;
    const chart = build(canvas, spec) as Chart & { lorechatSpec?: ChartSpec };
    chart.lorechatSpec = spec;
    charts.add(chart);
  });
  return figure;
}

/** Frees the charts of the view being left. */
export function destroyCharts(): void {
  for (const chart of charts) chart.destroy();
  charts.clear();
}

/** Redraws with the other theme's colours when the system switches between light and dark. */
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', () => {
  for (const chart of charts) {
    const { canvas } = chart;
    const spec = (chart as Chart & { lorechatSpec?: ChartSpec }).lorechatSpec;
    if (!spec) continue;
    chart.destroy();
    charts.delete(chart);
    const redrawn = build(canvas, spec) as Chart & { lorechatSpec?: ChartSpec };
    redrawn.lorechatSpec = spec;
    charts.add(redrawn);
  }
});
