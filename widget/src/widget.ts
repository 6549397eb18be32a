import type { Source } from '@lorechat/contracts';
import { Conversation, type FailureCode, type Turn } from './conversation';
import { guard, report } from './guard';
import { importChunk } from './chunk';
import { type Messages } from './i18n';
import { type WidgetOptions } from './options';
import { type WidgetChunk, type WidgetExtension } from './extension';
import { StoredState } from './storage';
import { SocketConnection } from './transport';
import { ChatView, type ConnectionStatus } from './ui/chat-view';

/** What `LoreChat.on(event, listener)` passes to the listener, by event. */
export interface WidgetEvents {
  open: undefined;
  close: undefined;
  question: { text: string };
  answer: { messageId: string; text: string; sources: Source[]; cancelled: boolean };
  error: { code: FailureCode; message: string };
  feedback: { messageId: string; rating: 'up' | 'down'; comment?: string };
}

/** The page's handle on the widget, `window.LoreChat`. */
export interface LoreChatApi {
  readonly version: string;
  open(): void;
  close(): void;
  ask(text: string): void;
  on<Event extends keyof WidgetEvents>(
    event: Event,
    listener: (detail: WidgetEvents[Event]) => void,
  ): () => void;
  destroy(): void;
}

/** Replaced at build time with widget/package.json's version. */
declare const WIDGET_VERSION: string;

/** The page the visitor is on, as the server accepts it: an http(s) address and a bounded title. */
function currentPage(): { url: string; title: string } | undefined {
  const { href, protocol } = location;
  if ((protocol !== 'http:' && protocol !== 'https:') || href.length > 2048) return undefined;
  return { url: href, title: document.title.replace(/\s+/g, ' ').trim().slice(0, 300) };
}

/**
 * Builds the widget from its script tag's options, in the catalogue of their locale, and puts it
 * on the page. The socket connects the first time the visitor opens the panel or has a question
 * to send.
 */
export function mountWidget(
  script: HTMLScriptElement | null,
  options: WidgetOptions,
  messages: Messages,
  onDestroy: () => void,
): LoreChatApi {
  const stored = new StoredState(`lorechat:${options.siteKey}`);
  const listeners = new Map<keyof WidgetEvents, Set<(detail: never) => void>>();
  const emit = <Event extends keyof WidgetEvents>(event: Event, detail: WidgetEvents[Event]) => {
    // A page's listener that throws is its own bug: report it, and keep calling the others.
    for (const listener of listeners.get(event) ?? []) guard(listener)(detail as never);
  };
  let connection: SocketConnection | undefined;
  let destroyed = false;

  const conversation = new Conversation(
    stored.current,
    (saved) => stored.update(saved),
    {
      changed: (turn) => view.render(turn),
      settled: (turn) => {
        view.settled(turn);
        emitSettled(turn);
      },
    },
    currentPage,
  );
  const emitSettled = (turn: Turn) => {
    if (turn.state === 'failed') {
      const code = turn.failure ?? 'internal';
      emit('error', { code, message: messages.errors[code] });
    } else if (turn.messageId) {
      const { messageId, answer: text, sources } = turn;
      emit('answer', { messageId, text, sources, cancelled: turn.state === 'cancelled' });
    }
  };
  const chunks: Record<string, unknown> = {};
  /** Loads a feature beyond the core once, on first use. */
  const extend = (name: string) =>
    (chunks[name] ||= importChunk<WidgetChunk>(name, script)
      .then((chunk) => chunk.default(extension))
      .catch(report));
  const connect = () => {
    if (destroyed) return;
    if (!connection) {
      connection = new SocketConnection(
        options.serverUrl,
        options.siteKey,
        conversation,
        {
          saved: stored.current.visitorToken,
          save: (visitorToken) => stored.update({ visitorToken }),
        },
        () => extend('handoff'),
      );
      conversation.attach(connection);
    }
    connection.connect();
  };
  const ask = (text: string) => {
    conversation.ask(text);
    emit('question', { text });
    connect();
  };

  const view = new ChatView(options, messages, conversation, {
    opened: (open) => {
      stored.update({ open });
      if (open) {
        connect();
        // The microphone and read-aloud buttons come with the chunk.
        extend('voice');
      }
      emit(open ? 'open' : 'close', undefined);
    },
    ask,
    rated: async (turn, rating, comment) => {
      const sent = await conversation.rate(turn, rating, comment);
      if (sent && turn.messageId) {
        emit('feedback', { messageId: turn.messageId, rating, ...(comment ? { comment } : {}) });
      }
      return sent;
    },
    connectionStatus: (): ConnectionStatus => connection?.status ?? 'idle',
  });

  document.body.append(view.host);
  view.adaptToAccent();
  const savePartialAnswer = guard(() => conversation.persist());
  window.addEventListener('pagehide', savePartialAnswer);
  view.render();
  // On a phone the open panel covers the whole page: data-open waits for the visitor there.
  const small = matchMedia('(max-width:480px),(max-height:480px)').matches;
  if (stored.current.open ?? (options.openOnLoad && !small)) view.open(false);
  if (conversation.hasQueuedQuestions) connect();

  /** Every method is safe to call from any page script, at any time, even after destroy. */
  const api: LoreChatApi = {
    version: WIDGET_VERSION,
    open: guard(() => view.open(true)),
    close: guard(() => view.close()),
    ask: guard((text: unknown) => {
      if (typeof text !== 'string' || !text.trim()) {
        report('LoreChat.ask needs a question (a non-empty string)');
        return;
      }
      view.open(true);
      ask(text.trim());
    }),
    on: (event, listener) => {
      if (typeof listener !== 'function') return () => undefined;
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
      return () => set.delete(listener);
    },
    destroy: guard(() => {
      if (destroyed) return;
      destroyed = true;
      window.removeEventListener('pagehide', savePartialAnswer);
      connection?.close();
      view.destroy();
      listeners.clear();
      onDestroy();
    }),
  };
  const extension: WidgetExtension = {
    root: view.host.shadowRoot as ShadowRoot,
    locale: options.locale,
    api,
    conversationId: () => stored.current.conversationId,
    handoff: (payload) => (connection as SocketConnection).send('handoff', payload),
  };
  return api;
}
