import type {
  AckResponse,
  AskAccepted,
  AskPage,
  AskPayload,
  DonePayload,
  ErrorCode,
  ErrorPayload,
  FeedbackPayload,
  Source,
  SourcesPayload,
  TokenPayload,
} from '@lorechat/contracts';

/** Why an answer failed: a protocol error code, or the connection dropping before it was complete. */
export type FailureCode = ErrorCode | 'connection_lost';

/**
 * One question and its answer, as shown and as saved for the next page.
 *
 * queued → sending (ask emitted, waiting for the ack) → streaming → done | cancelled, or failed at
 * any point after queued. Only queued turns are ever (re)sent automatically, so a question is sent
 * at most once unless the visitor presses Retry.
 */
export interface Turn {
  /** Local id, stable across reloads; the server's messageId arrives with the ack. */
  id: string;
  question: string;
  state: 'queued' | 'sending' | 'streaming' | 'done' | 'cancelled' | 'failed';
  answer: string;
  sources: Source[];
  messageId?: string;
  failure?: FailureCode;
  rating?: FeedbackPayload['rating'];
}

export interface SavedConversation {
  conversationId?: string;
  turns: Turn[];
}

/** What the conversation needs from the connection; transport.ts implements it over Socket.IO. */
export interface ChatConnection {
  readonly online: boolean;
  /** The server refused this site or page for good: questions fail at once. */
  readonly refused: boolean;
  connect(): void;
  /** Calls `reply` once: with the ack, or with undefined if none came (timeout, disconnect). */
  ask(payload: AskPayload, reply: (response: AckResponse<AskAccepted> | undefined) => void): void;
  cancel(messageId: string): void;
  feedback(payload: FeedbackPayload): Promise<boolean>;
}

/** The server's answer events, which the connection forwards to the conversation. */
export interface AnswerEvents {
  token(payload: TokenPayload): void;
  sources(payload: SourcesPayload): void;
  done(payload: DonePayload): void;
  error(payload: ErrorPayload): void;
  /** `recovered`: the server resumed the session, and sends the events missed meanwhile. */
  online(recovered: boolean): void;
  offline(): void;
  /** The server refused the site key or the page's origin. */
  refused(): void;
}

export interface ConversationListener {
  /** A turn changed; `undefined` when turns were added, removed or reordered. */
  changed(turn?: Turn): void;
  /** An answer reached an end state (done, cancelled or failed). */
  settled(turn: Turn): void;
}

/** Turns kept, oldest dropped first: bounds what is saved in sessionStorage. */
const MAX_TURNS = 50;

/**
 * The conversation's state and rules, without any DOM: questions are queued and sent one at a
 * time while online, the answer events fill them in, and the whole conversation is saved after
 * every change of state so it survives reloads and navigation.
 */
export class Conversation implements AnswerEvents {
  readonly #save: (conversation: SavedConversation) => void;
  readonly #listener: ConversationListener;
  #conversationId: string | undefined;
  readonly turns: Turn[];
  #connection: ChatConnection | undefined;

  readonly #page: () => AskPage | undefined;

  constructor(
    saved: SavedConversation | undefined,
    save: (conversation: SavedConversation) => void,
    listener: ConversationListener,
    /** The page the visitor is on when a question goes out: answers prefer its passages. */
    page: () => AskPage | undefined = () => undefined,
  ) {
    this.#page = page;
    this.#save = save;
    this.#listener = listener;
    this.#conversationId = saved?.conversationId;
    // An answer that was in flight when the page went away was abandoned by the server with the
    // old connection; show it as interrupted, with Retry, rather than waiting forever.
    this.turns = (saved?.turns ?? []).map((turn) =>
      turn.state === 'sending' || turn.state === 'streaming'
        ? { ...turn, state: 'failed', failure: 'connection_lost' }
        : turn,
    );
  }

  /** Attaches the connection; questions queued before (or saved while offline) go out when online. */
  attach(connection: ChatConnection): void {
    this.#connection = connection;
    this.#sendNext();
  }

  get hasQueuedQuestions(): boolean {
    return this.turns.some((turn) => turn.state === 'queued');
  }

  /** The answer currently streaming, if any: the one Stop applies to. */
  get streaming(): Turn | undefined {
    return this.turns.find((turn) => turn.state === 'streaming');
  }

  ask(question: string): void {
    this.turns.push({ id: newId(), question, state: 'queued', answer: '', sources: [] });
    this.turns.splice(0, Math.max(0, this.turns.length - MAX_TURNS));
    this.#commit();
    this.#sendNext();
  }

  /** Asks a failed question again, as a new turn at the end, where its answer will appear. */
  retry(turn: Turn): void {
    if (turn.state !== 'failed') return;
    this.turns.splice(this.turns.indexOf(turn), 1);
    this.ask(turn.question);
  }

  stop(): void {
    const turn = this.streaming;
    if (turn?.messageId) this.#connection?.cancel(turn.messageId);
  }

  /**
   * Sends a rating (and, in a second event, the comment that follows it). The rating is kept only
   * if the server took it.
   */
  async rate(turn: Turn, rating: 'up' | 'down', comment?: string): Promise<boolean> {
    if (!turn.messageId || !this.#connection) return false;
    const previous = turn.rating;
    turn.rating = rating;
    this.#commit(turn);
    const sent = await this.#connection.feedback({
      messageId: turn.messageId,
      rating,
      ...(comment ? { comment } : {}),
    });
    if (!sent) {
      turn.rating = previous;
      this.#commit(turn);
    }
    return sent;
  }

  /** Saves now, streamed text included (tokens alone do not trigger a save). */
  persist(): void {
    this.#save({ conversationId: this.#conversationId, turns: this.turns });
  }

  online(recovered: boolean): void {
    // A new session means the server abandoned the answers that were streaming.
    if (!recovered) this.#failAll('streaming');
    this.#listener.changed();
    this.#sendNext();
  }

  offline(): void {
    // Questions not yet acknowledged may or may not have been received: they are not re-sent.
    // Streaming answers wait: a recovered session delivers the rest of them.
    this.#failAll('sending');
    this.#listener.changed();
  }

  refused(): void {
    this.#sendNext();
    this.#listener.changed();
  }

  #failAll(state: Turn['state']): void {
    for (const turn of this.turns) if (turn.state === state) this.#fail(turn, 'connection_lost');
  }

  token({ messageId, text }: TokenPayload): void {
    const turn = this.#byMessageId(messageId);
    if (turn?.state !== 'streaming') return;
    turn.answer += text;
    this.#listener.changed(turn);
  }

  sources({ messageId, sources }: SourcesPayload): void {
    const turn = this.#byMessageId(messageId);
    if (!turn) return;
    turn.sources = sources;
    this.#listener.changed(turn);
  }

  done({ messageId, cancelled }: DonePayload): void {
    const turn = this.#byMessageId(messageId);
    if (turn?.state !== 'streaming') return;
    turn.state = cancelled ? 'cancelled' : 'done';
    this.#settle(turn);
  }

  error({ messageId, code }: ErrorPayload): void {
    // Errors without a messageId answer a refused event; its acknowledgement handles them.
    const turn = messageId === undefined ? undefined : this.#byMessageId(messageId);
    if (turn?.state === 'streaming') this.#fail(turn, code);
  }

  #sendNext(): void {
    const connection = this.#connection;
    if (!connection) return;
    const next = this.turns.find((turn) => turn.state === 'queued');
    if (!next) return;
    if (connection.refused) {
      // Failing one settles it, which sends (fails) the next.
      this.#fail(next, 'unauthorized');
      return;
    }
    if (!connection.online) {
      connection.connect();
      return;
    }
    // The server answers one question at a time per conversation.
    if (this.turns.some((turn) => turn.state === 'sending' || turn.state === 'streaming')) return;

    next.state = 'sending';
    this.#commit(next);
    const conversationId = this.#conversationId;
    const page = this.#page();
    connection.ask({ conversationId, text: next.question, ...(page && { page }) }, (response) => {
      if (next.state !== 'sending') return;
      if (!response) {
        this.#fail(next, 'connection_lost');
      } else if (response.ok) {
        this.#conversationId = response.conversationId;
        next.messageId = response.messageId;
        next.state = 'streaming';
        this.#commit(next);
      } else if (response.error.code === 'conversation_not_found' && conversationId) {
        // The server forgot the conversation (expired, or restarted): start a new one with the
        // same question, without bothering the visitor.
        this.#conversationId = undefined;
        next.state = 'queued';
        this.#commit(next);
        this.#sendNext();
      } else {
        this.#fail(next, response.error.code);
      }
    });
  }

  #fail(turn: Turn, failure: FailureCode): void {
    turn.state = 'failed';
    turn.failure = failure;
    this.#settle(turn);
  }

  #settle(turn: Turn): void {
    this.#commit(turn);
    this.#listener.settled(turn);
    this.#sendNext();
  }

  #commit(turn?: Turn): void {
    this.persist();
    this.#listener.changed(turn);
  }

  #byMessageId(messageId: string): Turn | undefined {
    return this.turns.find((turn) => turn.messageId === messageId);
  }
}

function newId(): string {
  return Date.now().toString(36) + Math.random().toString(36).slice(2, 8);
}
