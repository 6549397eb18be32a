import { type Conversation, type Turn } from '../conversation';
import { guard } from '../guard';
import { directionOf, type Messages } from '../i18n';
import { type WidgetOptions } from '../options';
import { Announcer } from './announcer';
import { readableTextColor } from './color';
import { h, icon, iconButton, listen } from './dom';
import styles from './widget.css';
import { TurnView } from './turn-view';

export type ConnectionStatus = 'idle' | 'connecting' | 'online' | 'offline';

export interface ViewEvents {
  opened(open: boolean): void;
  ask(question: string): void;
  rated(turn: Turn, rating: 'up' | 'down', comment?: string): Promise<boolean>;
  connectionStatus(): ConnectionStatus;
}

/** Elements that can take focus, for keeping the keyboard inside the open panel. */
const FOCUSABLE = 'button, textarea, a[href], [tabindex="0"]';
/** Within this distance of the bottom the list follows a streaming answer; further up, it stays put. */
const FOLLOW_THRESHOLD_PX = 48;

/**
 * The launcher and the chat panel, in a shadow root so that the page's CSS cannot reach in and
 * ours cannot leak out. It renders the conversation and turns the visitor's input into calls on
 * it; it holds no conversation state of its own.
 */
export class ChatView {
  readonly host = document.createElement('lorechat-widget');
  readonly #messages: Messages;
  readonly #conversation: Conversation;
  readonly #events: ViewEvents;
  readonly #shadow: ShadowRoot;
  readonly #root: HTMLElement;
  readonly #launcher: HTMLButtonElement;
  readonly #panel: HTMLElement;
  readonly #log: HTMLElement;
  readonly #turnList: HTMLElement;
  readonly #suggestions: HTMLElement;
  readonly #status: HTMLElement;
  readonly #stopButton: HTMLButtonElement;
  readonly #input: HTMLTextAreaElement;
  readonly #announcer = new Announcer();
  readonly #turnViews = new Map<string, TurnView>();
  readonly #dirtyTurns = new Set<Turn>();
  #renderAll = true;
  #frame = 0;

  constructor(
    options: WidgetOptions,
    messages: Messages,
    conversation: Conversation,
    events: ViewEvents,
  ) {
    this.#messages = messages;
    this.#conversation = conversation;
    this.#events = events;
    const direction = directionOf(options.locale);
    const title = options.title ?? messages.title;
    // Open, so that accessibility checkers, browser extensions and tests can see inside. A closed
    // root would protect nothing: page scripts could patch attachShadow before the widget loads.
    this.#shadow = this.host.attachShadow({ mode: 'open' });

    this.#launcher = iconButton('launcher', messages.openChat, icon('chat'), () =>
      this.isOpen ? this.close() : this.open(true),
    );
    this.#launcher.append(icon('close'));
    this.#launcher.setAttribute('aria-haspopup', 'dialog');
    this.#launcher.setAttribute('aria-expanded', 'false');

    this.#status = h('p', { class: 'status', role: 'status' });
    this.#turnList = h('div', { class: 'turns' });
    this.#suggestions = h(
      'div',
      { class: 'suggestions', role: 'group', 'aria-label': messages.suggestions },
      ...options.suggestedQuestions.map((question) => {
        const button = h('button', { type: 'button', class: 'suggestion' }, question);
        listen(button, 'click', () => this.#events.ask(question));
        return button;
      }),
    );
    this.#log = h(
      'div',
      { class: 'log', tabindex: 0, role: 'region', 'aria-label': messages.conversation },
      h('p', { class: 'greeting' }, options.greeting ?? messages.greeting),
      this.#suggestions,
      this.#turnList,
    );

    this.#input = h('textarea', {
      rows: 1,
      'aria-label': messages.question,
      placeholder: messages.placeholder,
      enterkeyhint: 'send',
    });
    const form = h(
      'form',
      { class: 'composer' },
      this.#input,
      h(
        'button',
        { type: 'submit', class: 'send', 'aria-label': messages.send, title: messages.send },
        icon('send'),
      ),
    );
    this.#stopButton = h(
      'button',
      { type: 'button', class: 'stop text-button' },
      icon('stop'),
      messages.stop,
    );

    this.#panel = h(
      'div',
      {
        class: 'panel',
        role: 'dialog',
        'aria-modal': 'true',
        'aria-labelledby': 'lorechat-title',
        hidden: true,
      },
      h(
        'div',
        { class: 'header' },
        h('h2', { id: 'lorechat-title' }, title),
        iconButton('icon-button', messages.closeChat, icon('close'), () => this.close()),
      ),
      this.#status,
      this.#log,
      this.#stopButton,
      form,
      h('p', { class: 'disclaimer' }, messages.disclaimer),
    );

    const left = options.position ? options.position === 'bottom-left' : direction === 'rtl';
    this.#root = h(
      'div',
      {
        class: `root theme-${options.theme}${left ? ' left' : ''}`,
        dir: direction,
        lang: options.locale,
      },
      this.#launcher,
      this.#panel,
      this.#announcer.element,
    );
    if (options.accentColor) this.#root.style.setProperty('--lorechat-accent', options.accentColor);
    // A constructed stylesheet, unlike a <style> element, needs no 'unsafe-inline' in a page's
    // Content-Security-Policy. Browsers without them (Safari before 16.4) get the element.
    if ('replaceSync' in CSSStyleSheet.prototype) {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(styles);
      this.#shadow.adoptedStyleSheets = [sheet];
    } else {
      this.#shadow.append(h('style', {}, styles));
    }
    this.#shadow.append(this.#root);

    listen(this.#stopButton, 'click', () => this.#conversation.stop());
    listen(form, 'submit', (event) => {
      event.preventDefault();
      this.#submit();
    });
    listen(this.#input, 'keydown', (event) => {
      // Enter sends, Shift+Enter starts a new line; an input method composing text keeps Enter.
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.#submit();
      }
    });
    listen(this.#input, 'input', () => this.#fitInput());
    listen(this.#root, 'keydown', (event) => this.#onKey(event));
  }

  get isOpen(): boolean {
    return !this.#panel.hidden;
  }

  /** Call once the host is in the document: colours can only be read from a rendered element. */
  adaptToAccent(): void {
    const accent = getComputedStyle(this.#launcher).backgroundColor;
    this.#root.style.setProperty('--auto-accent-text', readableTextColor(accent));
  }

  /** Opens the panel; `takeFocus` moves the keyboard into it (not when it opens by itself). */
  open(takeFocus: boolean): void {
    if (!this.isOpen) {
      this.#panel.hidden = false;
      this.#root.classList.add('open');
      this.#launcher.setAttribute('aria-expanded', 'true');
      this.#labelLauncher(this.#messages.closeChat);
      this.render();
      this.#events.opened(true);
    }
    this.#scrollToEnd();
    if (takeFocus) this.#input.focus();
  }

  close(): void {
    if (!this.isOpen) return;
    const hadFocus = this.#panel.contains(this.#shadow.activeElement);
    this.#panel.hidden = true;
    this.#root.classList.remove('open');
    this.#launcher.setAttribute('aria-expanded', 'false');
    this.#labelLauncher(this.#messages.openChat);
    if (hadFocus) this.#launcher.focus();
    this.#events.opened(false);
  }

  /** Schedules a render: of one turn, or of everything when `turn` is undefined. */
  render(turn?: Turn): void {
    if (turn) this.#dirtyTurns.add(turn);
    else this.#renderAll = true;
    // Tokens arrive faster than frames: render at most once per frame.
    this.#frame ||= requestAnimationFrame(guard(() => this.#flush()));
  }

  /** An answer reached its end: announce what has not been said yet. */
  settled(turn: Turn): void {
    const view = this.#turnViews.get(turn.id);
    if (!view || !this.isOpen) return;
    const failure =
      turn.state === 'failed' ? this.#messages.errors[turn.failure ?? 'internal'] : '';
    const stopped = turn.state === 'cancelled' ? this.#messages.stopped : '';
    this.#announcer.finish(turn.id, view.spokenBlocks, failure || stopped);
  }

  announce(text: string): void {
    this.#announcer.say(text);
  }

  destroy(): void {
    cancelAnimationFrame(this.#frame);
    this.host.remove();
  }

  #submit(): void {
    const question = this.#input.value.trim();
    if (!question) return;
    this.#input.value = '';
    this.#fitInput();
    this.#events.ask(question);
  }

  #flush(): void {
    this.#frame = 0;
    const following =
      this.#log.scrollHeight - this.#log.scrollTop - this.#log.clientHeight < FOLLOW_THRESHOLD_PX;
    const focusWasInside = this.#panel.contains(this.#shadow.activeElement);
    const online = this.#events.connectionStatus() === 'online';

    if (this.#renderAll) {
      this.#renderAll = false;
      this.#syncTurnList();
      for (const turn of this.#conversation.turns) this.#turnViews.get(turn.id)?.update(online);
    } else {
      for (const turn of this.#dirtyTurns) this.#turnViews.get(turn.id)?.update(online);
    }
    this.#dirtyTurns.clear();

    const streaming = this.#conversation.streaming;
    const streamingView = streaming && this.#turnViews.get(streaming.id);
    if (streaming && streamingView && this.isOpen) {
      const { settled, tail } = streamingView.markdown;
      this.#announcer.progress(streaming.id, settled, tail ?? []);
    }
    this.#stopButton.hidden = !streaming;
    this.#suggestions.hidden = this.#conversation.turns.length > 0;
    const offline = this.#events.connectionStatus() === 'offline';
    this.#status.textContent = offline ? this.#messages.offline : '';
    this.#status.hidden = !offline;

    // A control that disappeared (Retry, Stop) must not leave the keyboard nowhere.
    if (focusWasInside && !this.#panel.contains(this.#shadow.activeElement)) this.#input.focus();
    if (following) this.#scrollToEnd();
  }

  /** Makes the list of turn views match the conversation: added, removed or moved turns. */
  #syncTurnList(): void {
    const turns = this.#conversation.turns;
    const current = new Set(turns.map((turn) => turn.id));
    for (const [id, view] of this.#turnViews) {
      if (!current.has(id)) {
        view.element.remove();
        this.#turnViews.delete(id);
      }
    }
    turns.forEach((turn, index) => {
      let view = this.#turnViews.get(turn.id);
      if (!view) {
        view = new TurnView(turn, this.#messages, {
          retry: (failed) => this.#conversation.retry(failed),
          rate: (rated, rating, comment) => this.#events.rated(rated, rating, comment),
          announce: (text) => this.announce(text),
        });
        this.#turnViews.set(turn.id, view);
      }
      // Only nodes out of place move: moving a node takes the focus away from inside it.
      const occupant = this.#turnList.children[index];
      if (occupant !== view.element) this.#turnList.insertBefore(view.element, occupant ?? null);
    });
  }

  #labelLauncher(label: string): void {
    this.#launcher.setAttribute('aria-label', label);
    this.#launcher.title = label;
  }

  #scrollToEnd(): void {
    this.#log.scrollTop = this.#log.scrollHeight;
  }

  /** Grows the question field with its text, up to the height the stylesheet allows. */
  #fitInput(): void {
    this.#input.style.height = 'auto';
    this.#input.style.height = `${this.#input.scrollHeight}px`;
  }

  #onKey(event: KeyboardEvent): void {
    if (event.key === 'Escape' && this.isOpen) {
      event.preventDefault();
      this.close();
      this.#launcher.focus();
      return;
    }
    if (event.key !== 'Tab' || !this.#panel.contains(this.#shadow.activeElement)) return;
    const focusable = [...this.#panel.querySelectorAll<HTMLElement>(FOCUSABLE)].filter(
      (element) => element.getClientRects().length > 0 && !element.matches(':disabled'),
    );
    const first = focusable[0];
    const last = focusable.at(-1);
    const active = this.#shadow.activeElement;
    if (!first || !last) return;
    if (event.shiftKey && active === first) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && active === last) {
      event.preventDefault();
      first.focus();
    }
  }
}
