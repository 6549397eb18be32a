/**
 * Talk to a person, loaded when the server says the site owner can be reached
 * (`widget-handoff.js`): after an answer that found nothing on the site, or a question asking for
 * a person, the widget offers to send an e-mail address and a message, with the conversation, to
 * the site's team. A message that could not be sent stays in the form, to send again.
 */
import { type WidgetExtension } from '../extension';
import { h, listen } from '../ui/dom';
import { adoptStyles } from './chunk-dom';
import styles from './handoff.css';
import { HANDOFF_MESSAGES } from './handoff-messages';

/** The server's limits on a handoff's page (see the `handoff` event). */
const MAX_URL = 2048;
const MAX_TITLE = 300;

/** An answer that cites none of its sources did not find the answer on the site. */
export function foundNothing(text: string, sourceCount: number): boolean {
  const cited = [...text.matchAll(/\[(\d+)\]/g)].map(([, number]) => Number(number));
  return !cited.some((number) => number >= 1 && number <= sourceCount);
}

export default function setUpHandoff(extension: WidgetExtension): void {
  const { root, locale, api } = extension;
  const messages = HANDOFF_MESSAGES[locale];
  const log = root.querySelector('.log');
  if (!log) return;
  adoptStyles(root, styles);
  const box = h('div', { class: 'handoff', role: 'group', 'aria-label': messages.talkToPerson });
  box.hidden = true;
  log.append(box);
  /** Set once the visitor opened the form: a new answer does not take it away. */
  let writing = false;

  const offer = () => {
    if (writing) return;
    const button = h('button', { type: 'button', class: 'text-button' }, messages.talkToPerson);
    listen(button, 'click', () => showForm());
    box.replaceChildren(h('p', {}, messages.offer), button);
    box.hidden = false;
    box.scrollIntoView({ block: 'nearest' });
  };

  const showForm = () => {
    writing = true;
    const email = h('input', {
      type: 'email',
      name: 'email',
      required: true,
      autocomplete: 'email',
      maxlength: 254,
    });
    const message = h('textarea', { name: 'message', required: true, rows: 3 });
    const status = h('p', { class: 'note', role: 'status' });
    status.hidden = true;
    const send = h('button', { type: 'submit', class: 'text-button' }, messages.send);
    const cancel = h('button', { type: 'button', class: 'text-button' }, messages.cancel);
    const form = h(
      'form',
      {},
      h('label', {}, messages.email, email),
      h('label', {}, messages.message, message),
      status,
      h('div', { class: 'buttons' }, send, cancel),
    );
    listen(cancel, 'click', () => {
      writing = false;
      box.hidden = true;
    });
    listen(form, 'submit', (event) => {
      event.preventDefault();
      if (!form.reportValidity() || send.disabled) return;
      send.disabled = true;
      status.hidden = true;
      void extension
        .handoff({
          conversationId: extension.conversationId(),
          email: email.value.trim(),
          message: message.value.trim(),
          page: {
            url: `${location.origin}${location.pathname}`.slice(0, MAX_URL),
            title: document.title.slice(0, MAX_TITLE) || undefined,
          },
          locale,
        })
        .then((response) => {
          send.disabled = false;
          if (response?.ok) {
            writing = false;
            const sent = h(
              'p',
              { role: 'status', tabindex: -1 },
              messages.sent.replace('{email}', email.value.trim()),
            );
            box.replaceChildren(sent);
            sent.focus();
            return;
          }
          // Nothing is lost: what the visitor wrote stays in the form.
          status.textContent =
            response?.ok === false && response.error.code === 'rate_limited'
              ? messages.tooMany
              : response?.ok === false && response.error.code !== 'internal'
                ? response.error.message
                : messages.failed;
          status.hidden = false;
        });
    });
    box.replaceChildren(form);
    box.hidden = false;
    email.focus();
    box.scrollIntoView({ block: 'nearest' });
  };

  api.on('answer', ({ text, sources, cancelled }) => {
    if (!cancelled && foundNothing(text, sources.length)) offer();
  });
  api.on('question', ({ text }) => {
    if (messages.asksForPerson.test(text)) offer();
    else if (!writing) box.hidden = true;
  });
}
