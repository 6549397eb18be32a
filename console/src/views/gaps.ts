import { api } from '../api';
import { formatTime, h } from '../dom';
import { type GapGroup, OUTCOME_LABELS } from '../types';
import { period, periodSelect } from './period';

function groupView(group: GapGroup, index: number): HTMLElement {
  const counts = [
    `asked ${group.count} ${group.count === 1 ? 'time' : 'times'}`,
    group.notFound ? `${group.notFound} not found` : '',
    group.ratedDown ? `${group.ratedDown} rated down` : '',
  ].filter(Boolean);
  return h(
    'article',
    { class: 'gap', attrs: { 'aria-labelledby': `gap-${index}` } },
    h('h2', { attrs: { id: `gap-${index}` } }, group.question),
    h('p', { class: 'meta' }, `${counts.join(' · ')} · last ${formatTime(group.lastAskedAt)}`),
    group.closestPage
      ? h(
          'p',
          { class: 'closest' },
          'Closest page: ',
          h(
            'a',
            {
              attrs: {
                href: group.closestPage.section,
                rel: 'noreferrer noopener',
                target: '_blank',
              },
            },
            group.closestPage.title,
          ),
        )
      : h('p', { class: 'closest' }, 'No page comes close: this needs a new page.'),
    h(
      'details',
      {},
      h('summary', {}, `The questions (${group.examples.length} shown)`),
      h(
        'ul',
        {},
        ...group.examples.map((example) =>
          h(
            'li',
            {},
            h(
              'a',
              { attrs: { href: `#conversations/${encodeURIComponent(example.conversationId)}` } },
              example.question,
            ),
            h(
              'span',
              { class: 'muted' },
              ` — ${formatTime(example.askedAt)}, ${OUTCOME_LABELS[example.outcome].toLowerCase()}`,
              example.rating === 'down' ? ', rated down' : '',
              example.comment ? `: “${example.comment}”` : '',
            ),
          ),
        ),
      ),
    ),
  );
}

/** The content gaps: what visitors asked that the site did not answer, grouped, biggest first. */
export function gapsView(): HTMLElement {
  const body = h('div', { attrs: { 'aria-busy': 'true' } }, 'Loading…');
  const load = (days: number) => {
    body.setAttribute('aria-busy', 'true');
    void api.gaps(days).then(
      ({ items }) => {
        body.replaceChildren(
          ...(items.length
            ? items.map(groupView)
            : [
                h(
                  'p',
                  { class: 'muted' },
                  'No gaps: every question was answered and nobody rated an answer down.',
                ),
              ]),
        );
        body.setAttribute('aria-busy', 'false');
      },
      (error: unknown) =>
        body.replaceChildren(h('p', { class: 'error' }, (error as Error).message)),
    );
  };
  load(period());
  return h(
    'section',
    {},
    h(
      'p',
      { class: 'help' },
      'Questions the site did not answer, or whose answer was rated down, grouped when they ask the same thing. Each shows the closest page the site has: the place to add what is missing.',
    ),
    h('div', { class: 'toolbar' }, periodSelect(load)),
    body,
  );
}
