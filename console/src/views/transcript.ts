import { api } from '../api';
import { announce, formatMs, formatNumber, formatTime, formatUsd, h } from '../dom';
import { type Conversation, OUTCOME_LABELS, type Turn } from '../types';

function turnView(turn: Turn, index: number): HTMLElement {
  const cited = turn.sources.filter((source) => source.cited);
  return h(
    'article',
    { class: 'turn', attrs: { 'aria-labelledby': `turn-${index}` } },
    h('h2', { attrs: { id: `turn-${index}` } }, turn.question),
    h(
      'p',
      { class: 'meta' },
      formatTime(turn.askedAt),
      ' · ',
      h('span', { class: `badge badge-${turn.outcome}` }, OUTCOME_LABELS[turn.outcome]),
      turn.errorCode ? ` (${turn.errorCode})` : '',
      turn.rating ? ` · rated ${turn.rating}` : '',
      turn.page ? ' · on ' : '',
      turn.page
        ? h(
            'a',
            { attrs: { href: turn.page.url, rel: 'noreferrer noopener', target: '_blank' } },
            turn.page.title ?? turn.page.url,
          )
        : '',
      turn.locale ? ` · ${turn.locale}` : '',
    ),
    h('div', { class: 'answer' }, turn.answer || h('span', { class: 'muted' }, '(no answer text)')),
    turn.comment ? h('blockquote', { class: 'comment' }, `Visitor's comment: ${turn.comment}`) : '',
    cited.length
      ? h(
          'div',
          { class: 'sources' },
          h('h3', {}, 'Cited sources'),
          h(
            'ol',
            {},
            ...cited.map((source) =>
              h(
                'li',
                {},
                h(
                  'a',
                  { attrs: { href: source.url, rel: 'noreferrer noopener', target: '_blank' } },
                  source.title,
                ),
              ),
            ),
          ),
        )
      : '',
    h(
      'p',
      { class: 'meta' },
      `${turn.provider} ${turn.model}${turn.cached ? ' (cached)' : ''} · `,
      `${formatNumber(turn.inputTokens + turn.outputTokens)} tokens`,
      turn.costUsd === undefined ? '' : ` · ${formatUsd(turn.costUsd)}`,
      ` · first token ${formatMs(turn.firstTokenMs)} · total ${formatMs(turn.totalMs)}`,
    ),
  );
}

/** One conversation, every turn with its sources, and the deletions a visitor may ask for. */
export function transcriptView(id: string): HTMLElement {
  const body = h('div', { attrs: { 'aria-busy': 'true' } }, 'Loading…');
  const render = (conversation: Conversation) => {
    const remove = (what: 'conversation' | 'visitor') => {
      const question =
        what === 'conversation'
          ? 'Delete this conversation from the log?'
          : 'Delete every conversation and rating of this visitor from the log?';
      if (!confirm(question)) return;
      const request =
        what === 'conversation'
          ? api.deleteConversation(conversation.conversationId)
          : api.deleteVisitor(conversation.visitorId);
      void request.then(
        ({ deletedAnswers }) => {
          announce(`Deleted ${deletedAnswers} answers`);
          location.hash = '#conversations';
        },
        (error: unknown) => announce((error as Error).message),
      );
    };
    body.replaceChildren(
      h(
        'p',
        { class: 'meta' },
        `Visitor ${conversation.visitorId} · site ${conversation.siteKey} · started ${formatTime(conversation.startedAt)}`,
      ),
      ...conversation.turns.map(turnView),
      h(
        'div',
        { class: 'toolbar' },
        h(
          'button',
          {
            class: 'danger',
            attrs: { type: 'button' },
            on: { click: () => remove('conversation') },
          },
          'Delete conversation',
        ),
        h(
          'button',
          { class: 'danger', attrs: { type: 'button' }, on: { click: () => remove('visitor') } },
          "Delete all of this visitor's data",
        ),
      ),
    );
    body.setAttribute('aria-busy', 'false');
  };
  void api
    .conversation(id)
    .then(render, (error: unknown) =>
      body.replaceChildren(h('p', { class: 'error' }, (error as Error).message)),
    );
  return h(
    'section',
    {},
    h('p', {}, h('a', { attrs: { href: '#conversations' } }, '← All conversations')),
    body,
  );
}
