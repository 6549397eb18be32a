import { api } from '../api';
import { formatTime, h } from '../dom';
import { type Handoff, type HandoffDelivery } from '../types';

const CHANNEL_NAMES: Record<HandoffDelivery['channel'], string> = {
  webhook: 'Webhook',
  email: 'E-mail',
};

/** Where one channel stands: delivered, or still being tried and why. */
function deliveryText(delivery: HandoffDelivery): string {
  const channel = CHANNEL_NAMES[delivery.channel];
  if (delivery.deliveredAt !== undefined)
    return `${channel}: delivered ${formatTime(delivery.deliveredAt)}`;
  const next =
    delivery.nextAttemptAt === undefined ? '' : `, next try ${formatTime(delivery.nextAttemptAt)}`;
  return delivery.lastError
    ? `${channel}: not delivered yet (${delivery.attempts} tries, last: ${delivery.lastError}${next})`
    : `${channel}: waiting to be sent`;
}

function item(handoff: Handoff): HTMLElement {
  // The visitor's page is shown as text, not a link: it is what the visitor's browser said.
  const page = handoff.page ? ` · ${handoff.page.title ?? ''} ${handoff.page.url}` : '';
  return h(
    'li',
    { class: 'handoff', attrs: { 'data-handoff': handoff.id } },
    h(
      'p',
      {},
      h('strong', {}, formatTime(handoff.createdAt)),
      ' · ',
      h('a', { attrs: { href: `mailto:${handoff.email}` } }, handoff.email),
      h('span', { class: 'muted' }, page),
    ),
    h('blockquote', {}, handoff.message),
    h(
      'ul',
      { class: 'deliveries' },
      ...handoff.deliveries.map((delivery) => h('li', {}, deliveryText(delivery))),
    ),
    handoff.conversationId
      ? h(
          'a',
          { attrs: { href: `#conversations/${encodeURIComponent(handoff.conversationId)}` } },
          'The conversation',
        )
      : h('p', { class: 'muted' }, 'They had not asked the assistant anything.'),
  );
}

/** Visitors' requests to talk to a person, newest first, with where each channel stands. */
export function handoffsView(): HTMLElement {
  const list = h('ul', { class: 'handoffs' });
  const more = h('button', { class: 'secondary', attrs: { type: 'button' } }, 'Show more');
  const body = h('div', { attrs: { 'aria-busy': 'true' } }, 'Loading…');
  let next: string | undefined;
  const load = (first: boolean) => {
    void api.handoffs(next).then(
      (page) => {
        next = page.next;
        list.append(...page.items.map(item));
        more.hidden = next === undefined;
        if (first) {
          body.replaceChildren(
            page.items.length
              ? list
              : h(
                  'p',
                  { class: 'muted' },
                  'No visitor has asked for a person yet. Visitors are offered one when HANDOFF_WEBHOOK_URL or HANDOFF_EMAIL_TO is set.',
                ),
            more,
          );
          body.setAttribute('aria-busy', 'false');
        }
      },
      (error: unknown) =>
        body.replaceChildren(h('p', { class: 'error' }, (error as Error).message)),
    );
  };
  more.addEventListener('click', () => load(false));
  load(true);
  return h('section', {}, body);
}
