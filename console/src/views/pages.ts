import { api } from '../api';
import { formatNumber, h } from '../dom';
import { period, periodSelect } from './period';

const link = (url: string, title: string) =>
  h('a', { attrs: { href: url, rel: 'noreferrer noopener', target: '_blank' } }, title);

/** The pages answers cite most, and the indexed pages no answer cited in the period. */
export function pagesView(): HTMLElement {
  const body = h('div', { attrs: { 'aria-busy': 'true' } }, 'Loading…');
  const load = (days: number) => {
    void api.pages(days).then(
      (report) => {
        body.replaceChildren(
          h('h2', {}, 'Cited most'),
          report.mostCited.length
            ? h(
                'table',
                { class: 'list' },
                h(
                  'thead',
                  {},
                  h(
                    'tr',
                    {},
                    h('th', { attrs: { scope: 'col' } }, 'Page'),
                    h('th', { attrs: { scope: 'col' } }, 'Citations'),
                  ),
                ),
                h(
                  'tbody',
                  {},
                  ...report.mostCited.map((page) =>
                    h(
                      'tr',
                      {},
                      h('td', {}, link(page.url, page.title)),
                      h('td', { class: 'number' }, formatNumber(page.citations)),
                    ),
                  ),
                ),
              )
            : h('p', { class: 'muted' }, 'No answer cited a page in this period.'),
          h(
            'h2',
            {},
            `Never cited (${report.neverCited.length} of ${report.indexedPages} indexed pages)`,
          ),
          report.neverCited.length
            ? h(
                'ul',
                { class: 'never-cited' },
                ...report.neverCited.map((page) => h('li', {}, link(page.url, page.title))),
              )
            : h('p', { class: 'muted' }, 'Every indexed page was cited.'),
        );
        body.setAttribute('aria-busy', 'false');
      },
      (error: unknown) =>
        body.replaceChildren(h('p', { class: 'error' }, (error as Error).message)),
    );
  };
  load(period());
  return h('section', {}, h('div', { class: 'toolbar' }, periodSelect(load)), body);
}
