import { api } from '../api';
import { announce, formatTime, h } from '../dom';
import { type Conversation, OUTCOME_LABELS, type Outcome } from '../types';
import { period, periodSelect } from './period';

function outcomeBadge(outcome: Outcome): HTMLElement {
  return h('span', { class: `badge badge-${outcome}` }, OUTCOME_LABELS[outcome]);
}

function row(conversation: Conversation): HTMLElement {
  const first = conversation.turns[0];
  const outcomes = [...new Set(conversation.turns.map((turn) => turn.outcome))];
  const ratings = conversation.turns.flatMap((turn) => (turn.rating ? [turn.rating] : []));
  return h(
    'tr',
    {},
    h('td', {}, formatTime(conversation.lastAt)),
    h(
      'td',
      {},
      h(
        'a',
        { attrs: { href: `#conversations/${encodeURIComponent(conversation.conversationId)}` } },
        first?.question ?? '(no question)',
      ),
    ),
    h('td', { class: 'number' }, conversation.turns.length),
    h('td', {}, ...outcomes.map(outcomeBadge)),
    h(
      'td',
      {},
      ratings.length
        ? ratings.map((rating) => (rating === 'up' ? 'up' : 'down')).join(', ')
        : h('span', { class: 'muted' }, 'none'),
    ),
    h('td', { class: 'url' }, first?.page?.url ?? ''),
  );
}

function select(id: string, label: string, options: [string, string][]): HTMLElement {
  return h(
    'div',
    { class: 'field' },
    h('label', { attrs: { for: id } }, label),
    h(
      'select',
      { attrs: { id, name: id } },
      ...options.map(([value, text]) => h('option', { attrs: { value } }, text)),
    ),
  );
}

function input(id: string, label: string, placeholder: string): HTMLElement {
  return h(
    'div',
    { class: 'field' },
    h('label', { attrs: { for: id } }, label),
    h('input', { attrs: { id, name: id, type: 'search', placeholder } }),
  );
}

/** The conversation list: filters, newest first, "Show more" for the next page, and exports. */
export function conversationsView(): HTMLElement {
  const tbody = h('tbody');
  const more = h('button', { attrs: { type: 'button', hidden: '' } }, 'Show more');
  const empty = h('p', { class: 'muted', attrs: { hidden: '' } }, 'No conversations match.');
  let next: string | undefined;
  let filters: Record<string, string | number | undefined> = {};

  const load = async (append: boolean) => {
    const page = await api.conversations({
      ...filters,
      days: period(),
      cursor: append ? next : undefined,
    });
    if (!append) tbody.replaceChildren();
    tbody.append(...page.items.map(row));
    next = page.next;
    more.hidden = next === undefined;
    empty.hidden = tbody.childElementCount > 0;
    announce(`${tbody.childElementCount} conversations shown`);
  };
  const form = h(
    'form',
    {
      class: 'filters',
      attrs: { 'aria-label': 'Filter conversations' },
      on: {
        submit: (event) => {
          event.preventDefault();
          const data = new FormData(form);
          filters = Object.fromEntries(
            ['outcome', 'rating', 'page', 'q'].map((name) => {
              const value = data.get(name);
              return [name, typeof value === 'string' ? value : ''];
            }),
          );
          void load(false);
        },
      },
    },
    select('outcome', 'Outcome', [
      ['', 'Any'],
      ['answered', 'Answered'],
      ['not_found', 'Not found'],
      ['error', 'Error'],
      ['cancelled', 'Stopped'],
    ]),
    select('rating', 'Rating', [
      ['', 'Any'],
      ['up', 'Rated up'],
      ['down', 'Rated down'],
      ['none', 'Not rated'],
    ]),
    input('page', 'Page', 'part of the URL'),
    input('q', 'Text', 'in questions or answers'),
    h('button', { attrs: { type: 'submit' } }, 'Apply'),
  );
  more.addEventListener('click', () => void load(true));
  const exportButton = (format: 'csv' | 'json') =>
    h(
      'button',
      {
        class: 'secondary',
        attrs: { type: 'button' },
        on: {
          click: () => {
            void api.download(format, period()).then(
              () => announce(`Export downloaded (${format.toUpperCase()})`),
              (error: unknown) => announce((error as Error).message),
            );
          },
        },
      },
      `Export ${format.toUpperCase()}`,
    );
  void load(false);
  return h(
    'section',
    {},
    h(
      'div',
      { class: 'toolbar' },
      periodSelect(() => void load(false)),
      exportButton('csv'),
      exportButton('json'),
    ),
    form,
    h(
      'table',
      { class: 'list' },
      h('caption', { class: 'visually-hidden' }, 'Conversations, newest first'),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          ...['Last activity', 'First question', 'Turns', 'Outcomes', 'Ratings', 'Page'].map(
            (title) => h('th', { attrs: { scope: 'col' } }, title),
          ),
        ),
      ),
      tbody,
    ),
    empty,
    more,
  );
}
