import { type Turn } from '../conversation';
import { guard, report } from '../guard';
import { type Messages } from '../i18n';
import { type Block, parseMarkdown, safeHref, StreamingMarkdown } from '../markdown';
import { h, icon, iconButton, listen } from './dom';
import { externalLink, renderMarkdown } from './markdown-view';

export interface TurnActions {
  retry(turn: Turn): void;
  /** Resolves with whether the server took the feedback. */
  rate(turn: Turn, rating: 'up' | 'down', comment?: string): Promise<boolean>;
  /** Says `text` through the live region. */
  announce(text: string): void;
}

/**
 * One question and its answer. The answer's body follows the Markdown as it streams: blocks that
 * can no longer change are parsed and built once and kept, only the block being written is built
 * again (StreamingMarkdown bounds that work), and everything is rebuilt, unparsed, only when the
 * sources arrive and citations become links. The parts after it (status, sources, actions) change
 * only when its state does, so a comment being typed or a focused button is never replaced under
 * the visitor.
 */
export class TurnView {
  readonly element: HTMLElement;
  readonly #turn: Turn;
  readonly #messages: Messages;
  readonly #actions: TurnActions;
  readonly #queuedNote: HTMLElement;
  readonly #answer: HTMLElement;
  readonly #body: HTMLElement;
  readonly #footer: HTMLElement;
  #renderedBody = '';
  #renderedState = '';
  /** The answer's Markdown as parsed so far (the announcer reads it as it streams). */
  readonly markdown = new StreamingMarkdown();
  #tailNodes: ChildNode[] = [];
  #renderedSources = 0;

  constructor(turn: Turn, messages: Messages, actions: TurnActions) {
    this.#turn = turn;
    this.#messages = messages;
    this.#actions = actions;
    this.#queuedNote = h('span', { class: 'note' }, messages.queued);
    this.#body = h('div', { class: 'body' });
    this.#footer = h('div', { class: 'footer' });
    this.#answer = h(
      'div',
      { class: 'answer' },
      h('span', { class: 'visually-hidden' }, `${messages.assistant}: `),
      this.#body,
      this.#footer,
    );
    this.element = h(
      'div',
      { class: 'turn' },
      h(
        'p',
        { class: 'question' },
        h('span', { class: 'visually-hidden' }, `${messages.you}: `),
        turn.question,
        this.#queuedNote,
      ),
      this.#answer,
    );
  }

  /** The answer's blocks, all parsed: what a screen reader says of it once it has ended. */
  get spokenBlocks(): Block[] {
    return parseMarkdown(this.#turn.answer);
  }

  update(online: boolean): void {
    const turn = this.#turn;
    this.#queuedNote.hidden = turn.state !== 'queued' || online;
    this.#answer.hidden = turn.state === 'queued';

    // Before streaming the answer is empty: ending it then settles nothing.
    const ended = turn.state !== 'streaming';
    const version = `${turn.answer.length}:${turn.sources.length}:${ended}`;
    if (version !== this.#renderedBody) {
      this.#renderedBody = version;
      this.#renderBody(this.markdown.update(turn.answer, ended));
    }
    const state = turn.state === 'streaming' && turn.answer ? 'streaming-text' : turn.state;
    if (state !== this.#renderedState) {
      this.#renderedState = state;
      this.#footer.replaceChildren(...this.#footerContent());
    }
  }

  #renderBody(fresh: Block[]): void {
    const { sources } = this.#turn;
    const markdown = this.markdown;
    const render = (blocks: Block[]) => renderMarkdown(blocks, sources, this.#messages.citation);
    for (const node of this.#tailNodes) node.remove();
    if (sources.length === this.#renderedSources) this.#body.append(render(fresh));
    else {
      this.#renderedSources = sources.length;
      this.#body.replaceChildren(render(markdown.settled));
    }
    // A block too long to parse on every frame shows as text until it is complete.
    const tail = render(
      markdown.tail ?? [{ type: 'paragraph', children: [{ type: 'text', text: markdown.rest }] }],
    );
    this.#tailNodes = [...tail.childNodes];
    this.#body.append(tail);
  }

  #footerContent(): HTMLElement[] {
    const turn = this.#turn;
    const messages = this.#messages;
    switch (turn.state) {
      case 'queued':
        return [];
      case 'sending':
      case 'streaming':
        return turn.answer ? [] : [h('p', { class: 'note thinking' }, messages.thinking)];
      case 'failed': {
        const retry = h(
          'button',
          { type: 'button', class: 'text-button' },
          icon('retry'),
          messages.retry,
        );
        listen(retry, 'click', () => this.#actions.retry(turn));
        return [
          h('p', { class: 'failure' }, messages.errors[turn.failure ?? 'internal'], ' ', retry),
        ];
      }
      case 'done':
      case 'cancelled':
        return [
          ...(turn.state === 'cancelled' ? [h('p', { class: 'note' }, messages.stopped)] : []),
          ...this.#sourceList(),
          this.#answerActions(),
        ];
    }
  }

  #sourceList(): HTMLElement[] {
    const turn = this.#turn;
    const messages = this.#messages;
    if (turn.sources.length === 0) return [];
    const headingId = `sources-${turn.id}`;
    const items = turn.sources.map((source) => {
      const href = safeHref(source.url);
      return h('li', {}, href ? h('a', externalLink(href), source.title) : source.title);
    });
    return [
      h(
        'section',
        { class: 'sources', 'aria-labelledby': headingId },
        h('h3', { id: headingId }, messages.sources),
        h('ol', {}, ...items),
      ),
    ];
  }

  #answerActions(): HTMLElement {
    const turn = this.#turn;
    const messages = this.#messages;
    const actions = this.#actions;
    const feedback = h('div', { class: 'feedback' });
    const failed = () => h('p', { class: 'failure', role: 'status' }, messages.feedbackFailed);
    const thanks = () => h('p', { class: 'note', role: 'status' }, messages.thanks);
    /** Replaces the feedback area; a focus inside it goes back to the chosen rating. */
    const showFeedback = (...nodes: Node[]) => {
      const root = feedback.getRootNode() as ShadowRoot;
      const hadFocus = feedback.contains(root.activeElement);
      feedback.replaceChildren(...nodes);
      if (hadFocus) (turn.rating === 'down' ? down : up).focus();
    };

    const showCommentForm = (rating: 'up' | 'down') => {
      const comment = h('textarea', {
        rows: 2,
        maxlength: 2000,
        'aria-label': messages.comment,
        placeholder: messages.comment,
      });
      const form = h(
        'form',
        { class: 'comment' },
        comment,
        h('button', { type: 'submit', class: 'text-button' }, messages.sendComment),
      );
      listen(form, 'submit', (event) => {
        event.preventDefault();
        const text = comment.value.trim();
        if (!text) return;
        actions.rate(turn, rating, text).then(
          guard((sent: boolean) => showFeedback(sent ? thanks() : failed())),
          report,
        );
      });
      showFeedback(thanks(), form);
    };

    const showRating = (shown = turn.rating) => {
      up.setAttribute('aria-pressed', String(shown === 'up'));
      down.setAttribute('aria-pressed', String(shown === 'down'));
    };
    const rateButton = (rating: 'up' | 'down', label: string) =>
      iconButton('icon-button', label, icon('thumb', rating), () => {
        showRating(rating);
        actions.rate(turn, rating).then(
          guard((sent: boolean) => {
            // A rating the server did not take is shown as not given.
            showRating();
            if (sent) showCommentForm(rating);
            else showFeedback(failed());
          }),
          report,
        );
      });
    const up = rateButton('up', messages.helpful);
    const down = rateButton('down', messages.notHelpful);
    showRating();

    const copy = iconButton('icon-button', messages.copy, icon('copy'), () => {
      navigator.clipboard.writeText(this.#body.innerText.trim()).then(
        guard(() => {
          copy.classList.add('copied');
          actions.announce(messages.copied);
          setTimeout(
            guard(() => copy.classList.remove('copied')),
            2000,
          );
        }),
        report,
      );
    });

    return h(
      'div',
      {},
      h(
        'div',
        { class: 'actions' },
        // The asynchronous clipboard exists on https pages (and localhost) only.
        'clipboard' in navigator && copy,
        up,
        down,
      ),
      feedback,
    );
  }
}
