/**
 * The chat protocol between the widget and the backend over Socket.IO.
 *
 * This file is the single source of truth for event names and payload shapes: the backend's gateway
 * is typed with it and the widget imports its types. Like the rest of this package it has no
 * runtime dependencies, so the widget bundle can import it.
 */

/** Stable error codes. Clients switch on these; never rename one. */
export const ERROR_CODES = [
  'bad_request',
  'too_large',
  'rate_limited',
  'daily_limit_reached',
  'unauthorized',
  'conversation_not_found',
  'provider_unavailable',
  'internal',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export interface AskPayload {
  /** Omit to start a new conversation; the ack returns the id to send with follow-up questions. */
  conversationId?: string;
  text: string;
  /**
   * The page the widget is on: answers prefer its passages ("what does this cost?") and the
   * conversation log keeps it.
   */
  page?: AskPage;
  /** The widget's language, a BCP 47 tag such as `en` or `pt-BR`. */
  locale?: string;
}

/** The page the widget is on when the visitor asks. */
export interface AskPage {
  /** The page's address: http(s), at most 2,048 characters. */
  url: string;
  /** The page's title, at most 300 characters. */
  title?: string;
}

/** Whether the site's pages answered the question. */
export const ANSWER_OUTCOMES = ['answered', 'not_found'] as const;
export type AnswerOutcome = (typeof ANSWER_OUTCOMES)[number];

export interface FeedbackPayload {
  messageId: string;
  rating: 'up' | 'down';
  comment?: string;
}

export interface CancelPayload {
  messageId: string;
}

export interface ErrorPayload {
  /** Present when the error belongs to one answer (for example a provider failing mid-stream). */
  messageId?: string;
  code: ErrorCode;
  message: string;
  /** With `rate_limited` and `daily_limit_reached`: seconds until the same request would be accepted. */
  retryAfterSeconds?: number;
}

/**
 * The visitor asks for a person: the server sends the conversation so far, with this e-mail and
 * message, to the site owner's configured channels (webhook, e-mail).
 */
export interface HandoffPayload {
  /** The conversation to send along; omitted when the visitor asked nothing yet. */
  conversationId?: string;
  /** Where the site owner can reply. */
  email: string;
  /** What the visitor wants to say to a person. */
  message: string;
  page?: AskPage;
  locale?: string;
}

export interface HandoffAccepted {
  handoffId: string;
}

export interface AskAccepted {
  conversationId: string;
  messageId: string;
}

/** What the server passes to an `ask` or `feedback` acknowledgement callback. */
export type AckResponse<T> = ({ ok: true } & T) | { ok: false; error: ErrorPayload };

export interface Source {
  url: string;
  title: string;
  snippet: string;
}

export interface Usage {
  inputTokens: number;
  outputTokens: number;
}

export interface TokenPayload {
  messageId: string;
  text: string;
}

export interface SourcesPayload {
  messageId: string;
  /** In citation order: the answer's marker [n] refers to sources[n - 1]. */
  sources: Source[];
}

export interface DonePayload {
  messageId: string;
  usage: Usage;
  /** True when the visitor cancelled and the answer stopped early. */
  cancelled: boolean;
  /** `not_found` when the site's pages do not answer the question (and it says so). */
  outcome: AnswerOutcome;
}

export interface ClientToServerEvents {
  ask: (payload: AskPayload, ack?: (response: AckResponse<AskAccepted>) => void) => void;
  feedback: (payload: FeedbackPayload, ack?: (response: AckResponse<object>) => void) => void;
  cancel: (payload: CancelPayload) => void;
  handoff: (
    payload: HandoffPayload,
    ack?: (response: AckResponse<HandoffAccepted>) => void,
  ) => void;
}

export interface ServerToClientEvents {
  token: (payload: TokenPayload) => void;
  sources: (payload: SourcesPayload) => void;
  done: (payload: DonePayload) => void;
  error: (payload: ErrorPayload) => void;
}

export const CLIENT_EVENTS = [
  'ask',
  'feedback',
  'cancel',
  'handoff',
] as const satisfies readonly (keyof ClientToServerEvents)[];
